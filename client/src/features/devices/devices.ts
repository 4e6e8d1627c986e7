import type { DeviceHealth } from '@tracetrack/shared';
import { api } from '../../api/trpc';
import { followLive } from '../live/follow-live';

export interface DevicePage {
  items: DeviceHealth[];
  nextCursor: string | null;
  syncWarnMinutes: number;
}

export const DEVICE_PAGE = 100;
const POLL_MS = 10_000;

export const fetchDevices = (cursor?: string): Promise<DevicePage> =>
  api.device.list.query({ limit: DEVICE_PAGE, ...(cursor ? { cursor } : {}) });

/** The first page of device sync health, live (live.devices), polling device.list while the stream is down. */
export function followDevices(onValue: (page: DevicePage) => void, onPollError: (message: string) => void) {
  return followLive<DevicePage>({
    subscribe: (h) => api.live.devices.subscribe({ limit: DEVICE_PAGE }, h),
    poll: () => fetchDevices(),
    onValue,
    onPollError,
    pollMs: POLL_MS,
  });
}

/** "4 min", "2 h 5 min", "3 days": how long ago, for ages on the health screen. */
export function formatAge(fromIso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
