import type { Bag, BagListInput, LinkedChild } from '@tracetrack/shared';
import { mayUnlinkChild } from '@tracetrack/shared/unlink-rule';
import { currentUser } from '../auth/session';
import type { QueueResult } from '../sync/outcome-tracker';
import { queueWrite } from '../sync/queue-write';
import { api, describeFailure } from '../../api/trpc';

export const fetchBag = (code: string) => api.bag.get.query({ code });

export interface BagListPage {
  items: Bag[];
  nextCursor: string | null;
}

/** A page of bags; a dispatcher's list is their own area (the server enforces it too). */
export function fetchBagPage(filters: Partial<BagListInput>, cursor: string | null): Promise<BagListPage> {
  const user = currentUser();
  const area = user?.role === 'dispatcher' ? (user.area ?? undefined) : filters.area;
  return api.bag.list.query({ limit: 50, ...filters, ...(area ? { area } : {}), ...(cursor ? { cursor } : {}) });
}

/**
 * Whether to offer "Unlink" for this child: the unlink rule as the server applies it, judged on
 * this device's clock. The server still decides (the hour may run out before the scan arrives).
 */
export function canUnlink(child: LinkedChild, billStatus: string | null): boolean {
  const user = currentUser();
  if (!user) return false;
  return mayUnlinkChild({ role: user.role, username: user.username }, { linkedBy: child.linkedBy, linkedAt: child.linkedAt, billStatus }, Date.now());
}

/** An unlink is a scan: queued in the outbox, sent by the sync engine, online or not. */
export const queueUnlink = (childCode: string): Promise<QueueResult> => queueWrite('child.unlink', { childCode });

/** Admin only, and only a bag that holds nothing, sits in nothing and is on no bill (the server checks). */
export async function deleteBag(code: string): Promise<{ ok: boolean; message: string }> {
  try {
    const res = await api.bag.delete.mutate({ code });
    return { ok: true, message: res.message };
  } catch (e) {
    const f = describeFailure(e);
    return { ok: false, message: f.code ? f.message : 'No connection: deleting a bag needs the network.' };
  }
}

/** Admins move a parent, its children with it, to another dispatch area (audited). */
export const moveParentToArea = (code: string, area: string) => api.bag.setArea.mutate({ code, area });
