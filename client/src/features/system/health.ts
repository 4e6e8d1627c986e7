import type { SystemHealth } from '@tracetrack/shared';
import { api, describeFailure } from '../../api/trpc';

export async function fetchSystemHealth(): Promise<SystemHealth | { error: string }> {
  try {
    return await api.system.health.query();
  } catch (e) {
    return { error: describeFailure(e).message };
  }
}

/** 1536 → "1.5 KB"; binary units, as operating systems show memory. */
export function bytesText(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** 93784 → "1 d 2 h 3 min". */
export function durationText(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  if (d) return `${d} d ${h} h ${m} min`;
  if (h) return `${h} h ${m} min`;
  return m ? `${m} min` : `${seconds} s`;
}

export function timeText(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString('en-IN') : '—';
}

/** "0.4 % (3 of 812 calls)", or why there is no rate. */
export function errorRateText(errors: SystemHealth['errors']): string {
  if (errors.callsLastHour === null || errors.errorsLastHour === null) return 'Not counted: instrumentation is off (METRICS=off).';
  if (errors.callsLastHour === 0) return 'No calls in the last hour.';
  const pct = (100 * errors.errorsLastHour) / errors.callsLastHour;
  return `${pct < 0.1 && pct > 0 ? '< 0.1' : pct.toFixed(1)} % (${errors.errorsLastHour} of ${errors.callsLastHour.toLocaleString('en-IN')} calls failed on the server)`;
}

export const REDIS_WORDS: Record<SystemHealth['redis']['status'], string> = {
  ok: 'Answering',
  down: 'Not answering: sessions, rate limits and shared errors are failing or degraded',
  'not-configured': 'Not configured (REDIS_URL unset): sessions and limits are kept in the server process',
};

export const MAINTENANCE_WORDS: Record<NonNullable<SystemHealth['background']['maintenance']['status']>, string> = {
  running: 'Running now',
  ok: 'Finished',
  failed: 'Failed',
};

/** What the screen says about the daily end-of-day mail. */
export function eodMailText(m: SystemHealth['background']['endOfDayMail']): string {
  if (!m.isConfigured) return 'Not scheduled: it needs EOD_SEND_AT and a mail server (SMTP_URL).';
  const last = m.lastDay ? `Last: ${m.lastDay}, ${m.lastStatus ?? 'unknown'} at ${timeText(m.lastRunAt)}.` : 'Not run yet.';
  return `Mailed daily at ${m.sendAt}. ${last} Next: ${timeText(m.nextRunAt)}.`;
}
