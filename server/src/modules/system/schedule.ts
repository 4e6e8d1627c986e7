import { localDateTime } from '../exports/local-time';

/**
 * The instant the wall clock in `timeZone` next reads `hhmm` at or after `now`, skipping `today`
 * when the day's run is done. Uses the zone's offset at `now` (a DST change before then shifts it
 * by the change).
 */
export function nextLocalTime(now: Date, timeZone: string, hhmm: string, opts: { isTodayDone: boolean }): Date {
  const local = localDateTime(now, timeZone)!;
  const asUtc = Date.parse(`${local.slice(0, 10)}T${local.slice(11)}Z`);
  const offsetMs = asUtc - Math.floor(now.getTime() / 1000) * 1000;
  const todayAt = Date.parse(`${local.slice(0, 10)}T${hhmm}:00Z`) - offsetMs;
  const isPast = local.slice(11, 16) >= hhmm;
  if (!opts.isTodayDone && !isPast) return new Date(todayAt);
  // Past the time with the day not done: the per-minute check picks it up at once.
  if (!opts.isTodayDone) return new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  return new Date(todayAt + 86_400_000);
}
