import { type Dashboard, listAreaOf } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import type { Actor } from '../actor';
import { readDashboardCounts } from '../counters/queries';
import { timeZoneDay } from '../counters/time-zone-day';

export const CHART_DAYS = 14;

let chart: { today: string; days: readonly string[] } | null = null;

/** The chart's calendar days, oldest first, ending with `today` (YYYY-MM-DD): the same all day long. */
export function chartDays(today: string): readonly string[] {
  if (chart?.today !== today) {
    const end = Date.parse(`${today}T00:00:00Z`);
    const days = Array.from({ length: CHART_DAYS }, (_, i) => new Date(end - (CHART_DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
    chart = { today, days };
  }
  return chart.days;
}

/**
 * Totals come from counters kept in the same transactions as the changes, never count(*).
 * The area rule (listAreaOf) limits a dispatcher to their own area; bills have no area, so everyone
 * sees the bill totals.
 */
export async function getDashboard(deps: Pick<Deps, 'db' | 'clock' | 'config'>, actor: Actor): Promise<Dashboard> {
  const scope = listAreaOf(actor);
  const days = chartDays(timeZoneDay(deps.clock(), deps.config.timeZone));
  const { bags: bagTotals, bills: billTotals, daily } = await readDashboardCounts(deps.db, scope, days[0] ?? '');
  const bills = billTotals ?? bagTotals;
  const n = (totals: Record<string, number>, name: string) => Math.max(0, totals[name] ?? 0);
  const open = n(bills, 'bills_open');
  const loading = n(bills, 'bills_loading');
  const completed = n(bills, 'bills_completed');
  return {
    scope: scope ?? 'all',
    parents: n(bagTotals, 'parents'),
    parentsFull: n(bagTotals, 'parents_full'),
    children: n(bagTotals, 'children'),
    linkedChildren: n(bagTotals, 'linked_children'),
    unlinkedChildren: Math.max(0, n(bagTotals, 'children') - n(bagTotals, 'linked_children')),
    billedParents: n(bagTotals, 'billed_parents'),
    bills: { open, loading, completed, total: open + loading + completed },
    scansToday: daily.get(days.at(-1) ?? '') ?? 0,
    daily: days.map((day) => ({ day, scans: daily.get(day) ?? 0 })),
  };
}
