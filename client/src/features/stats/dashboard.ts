import type { Dashboard } from '@tracetrack/shared';
import { api } from '../../api/trpc';
import { followLive } from '../live/follow-live';

export const fetchDashboard = () => api.stats.dashboard.query();

/** Polling while the live stream is down. */
export const DASHBOARD_POLL_MS = 10_000;

/** The dashboard, live (live.dashboard), falling back to polling stats.dashboard. */
export function followDashboard(onValue: (d: Dashboard) => void, onPollError: (message: string) => void) {
  return followLive<Dashboard>({
    subscribe: (h) => api.live.dashboard.subscribe(undefined, h),
    poll: fetchDashboard,
    onValue,
    onPollError,
    pollMs: DASHBOARD_POLL_MS,
  });
}
