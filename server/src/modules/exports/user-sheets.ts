import type { User, UserExportFilter } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { countScansOfUsersSince, firstScanEventIdSince } from '../users/activity-queries';
import { toUser } from '../users/mappers';
import * as users from '../users/queries';
import { userFiltersOf } from '../users/service';
import { EXPORT_PAGE_ROWS } from './bag-sheets';
import { localDateTime } from './local-time';
import type { Column, Sheet } from './sheet';

export interface UserActivity extends User {
  scans: number;
  refused: number;
  lastScanAt: string | null;
}

function userColumns(timeZone: string, days: number): Column<UserActivity>[] {
  return [
    { header: 'Username', value: (u) => u.username, width: 16 },
    { header: 'Email', value: (u) => u.email, width: 28 },
    { header: 'Role', value: (u) => u.role },
    { header: 'Area', value: (u) => u.area, width: 16 },
    { header: 'Locked', value: (u) => (u.isLocked ? 'yes' : 'no') },
    { header: `Scans (last ${days} days)`, value: (u) => u.scans },
    { header: `Refused scans (last ${days} days)`, value: (u) => u.refused },
    { header: `Last scan (${timeZone})`, value: (u) => localDateTime(u.lastScanAt, timeZone), width: 20 },
    { header: `Created (${timeZone})`, value: (u) => localDateTime(u.createdAt, timeZone), width: 20 },
  ];
}

/** Users (the user list's filter) with their scans over the last `days` days: user activity. */
export function userActivitySheet(deps: Pick<Deps, 'db' | 'config' | 'clock'>, filter: UserExportFilter & { days: number }): Sheet<UserActivity> {
  const since = new Date(deps.clock().getTime() - filter.days * 86_400_000);
  async function* rows() {
    const fromId = await firstScanEventIdSince(deps.db, since);
    let afterId: number | null = null;
    for (;;) {
      const page = await users.listUsers(deps.db, { ...userFiltersOf(filter), afterId, limit: EXPORT_PAGE_ROWS }, deps.clock());
      const items = page.slice(0, EXPORT_PAGE_ROWS);
      const counts = fromId === null ? [] : await countScansOfUsersSince(deps.db, items.map((u) => u.id), fromId);
      const byUser = new Map(counts.map((c) => [c.user_id, c]));
      if (items.length > 0) {
        yield items.map((row): UserActivity => {
          const c = byUser.get(row.id);
          return { ...toUser(row), scans: c?.scans ?? 0, refused: c?.refused ?? 0, lastScanAt: c ? new Date(c.last_scan_at).toISOString() : null };
        });
      }
      if (page.length <= EXPORT_PAGE_ROWS) return;
      afterId = items.at(-1)!.id;
    }
  }
  return { name: 'Users', columns: userColumns(deps.config.timeZone, filter.days), rows: rows() };
}
