import type { Deps } from '../../deps';
import type { LiveTopic } from '../../infra/live-bus';
import type { ScanEventRow } from '../scans/queries';

/**
 * What a committed scan batch changed, for live screens: applied or unchanged scans move the
 * dashboard (counters, scans today); applied ones change the bills they name and the parents
 * they touch (a bill page follows its parents' topics too: their children are its weights). No
 * query: the scan events carry the ids.
 */
export function announceScans(deps: Pick<Deps, 'live'>, events: readonly ScanEventRow[]): void {
  const topics = new Set<LiveTopic>();
  for (const e of events) {
    if (e.status === 'rejected') continue;
    topics.add('dashboard');
    if (e.status !== 'applied') continue;
    if (e.refs.billId) topics.add(`bill:${Number(e.refs.billId)}`);
    if (e.refs.parentId) topics.add(`parent:${Number(e.refs.parentId)}`);
  }
  deps.live.publish(topics);
}
