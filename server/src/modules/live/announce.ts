import type { Deps } from '../../deps';
import type { LiveTopic } from '../../infra/live-bus';
import { findBillIdsOfParents } from '../bills/queries';
import type { ScanEventRow } from '../scans/queries';

/**
 * What a committed scan batch changed, for live screens: applied or unchanged scans move the
 * dashboard (counters, scans today); a bill's page changes with its own writes and with the
 * children of its parents (weights).
 */
export function announceScans(deps: Pick<Deps, 'db' | 'live' | 'logger'>, events: readonly ScanEventRow[]): void {
  const topics = new Set<LiveTopic>();
  const parentIds = new Set<number>();
  for (const e of events) {
    if (e.status === 'rejected') continue;
    topics.add('dashboard');
    if (e.status !== 'applied') continue;
    if (e.refs.billId) topics.add(`bill:${Number(e.refs.billId)}`);
    else if (e.refs.parentId) parentIds.add(Number(e.refs.parentId));
  }
  deps.live.publish(topics);
  if (parentIds.size === 0) return;
  // After the commit and off the request's path: one indexed look-up per batch (bill_parents' key).
  void findBillIdsOfParents(deps.db, [...parentIds]).then(
    (billIds) => deps.live.publish(billIds.map((id): LiveTopic => `bill:${id}`)),
    (e) => deps.logger.warn('live: bills of changed parents not found', { error: String(e) }),
  );
}
