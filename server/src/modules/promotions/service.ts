import {
  AppError,
  type Promotion,
  type PromotionDecideInput,
  type PromotionListInput,
  type PromotionRequestInput,
  type Role,
} from '@tracetrack/shared';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { decodeCursor, encodeCursor, keysetPage } from '../../infra/keyset-cursor';
import { inTransaction, isUniqueViolation } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { updateUserInTransaction, type UserUpdateResult } from '../users/service';
import { toPromotion } from './mappers';
import { areaExists } from '../areas/queries';
import * as q from './queries';

const article = (role: Role) => (role === 'admin' ? 'an admin' : `a ${role}`);

function pendingRefusal(role: Role): AppError {
  return new AppError('PROMOTION_PENDING', `You already asked to become ${article(role)}; wait until an admin decides.`);
}

/** A biller or dispatcher asks for another role; one request may wait at a time. */
export async function requestPromotion(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, meta: RequestMeta, input: PromotionRequestInput): Promise<Promotion> {
  if (input.role === actor.role) throw new AppError('PROMOTION_SAME_ROLE', `You are already ${article(actor.role)}.`, { field: 'role' });
  const area = input.area ?? null;
  if (area && input.role !== 'dispatcher') {
    throw new AppError('AREA_NOT_ALLOWED', `Only dispatchers have a dispatch area; leave it out when asking to become ${article(input.role)}.`, { field: 'area' });
  }
  if (area && !(await areaExists(deps.db, area))) throw new AppError('AREA_NOT_FOUND', `There is no dispatch area "${area}".`, { field: 'area' });
  const pending = await q.findPendingPromotionOf(deps.db, actor.id);
  if (pending) throw pendingRefusal(pending.role);
  try {
    const id = await inTransaction(deps.db, async (tx) => {
      const row = await q.insertPromotion(tx, { userId: actor.id, role: input.role, area, reason: input.reason, at: deps.clock() });
      await insertAudit(tx, { actor, meta }, {
        action: 'promotion.request', entityType: 'promotion', entityId: row.id,
        after: { username: actor.username, fromRole: actor.role, role: input.role, area, reason: input.reason },
      });
      return row.id;
    });
    return toPromotion((await q.findPromotionById(deps.db, id))!);
  } catch (e) {
    // Two requests sent at once: the one-pending index lets one through.
    if (isUniqueViolation(e, 'promotion_requests_one_pending')) throw pendingRefusal(input.role);
    throw e;
  }
}

/** The caller's latest request and its state; null when they never asked. */
export async function myPromotion(deps: Pick<Deps, 'db'>, actor: Actor): Promise<Promotion | null> {
  const row = await q.findLatestPromotionOf(deps.db, actor.id);
  return row ? toPromotion(row) : null;
}

const cursorShape = z.object({ isDecided: z.boolean(), id: z.number().int().positive() });

/** Admins' queue: pending requests first, newest first, then decided ones. */
export async function listPromotions(deps: Pick<Deps, 'db'>, input: PromotionListInput): Promise<{ items: Promotion[]; nextCursor: string | null }> {
  const rows = await q.listPromotions(deps.db, { status: input.status, after: decodeCursor(cursorShape, input.cursor), limit: input.limit });
  const { page, nextCursor } = keysetPage(rows, input.limit, (last) => encodeCursor({ isDecided: last.status !== 'pending', id: last.id }));
  return { items: page.map(toPromotion), nextCursor };
}

/**
 * Approving changes the role through the user-update rules (own role, last admin, area for the
 * role, dispatchers per area), in the same transaction as the decision: a refused change leaves
 * the request pending. Both the decision and the role change are audited and kept forever.
 */
export async function decidePromotion(deps: Deps, actor: Actor, meta: RequestMeta, input: PromotionDecideInput): Promise<Promotion> {
  const decision = await inTransaction(deps.db, async (tx): Promise<{ userId: number; update: UserUpdateResult | null }> => {
    const request = await q.lockPromotion(tx, input.id);
    if (!request) throw new AppError('PROMOTION_NOT_FOUND', `There is no promotion request ${input.id}.`);
    if (request.status !== 'pending') {
      const decided = await q.findPromotionById(tx, request.id);
      throw new AppError('PROMOTION_DECIDED', `This request was already ${request.status}${decided?.decided_by_username ? ` by ${decided.decided_by_username}` : ''}.`, {
        status: request.status,
      });
    }
    let update: UserUpdateResult | null = null;
    const area = input.area ?? request.area;
    if (input.approve) {
      const current = await q.findPromotionById(tx, request.id);
      if (current?.current_role === request.role) {
        throw new AppError('PROMOTION_SAME_ROLE', `${current.username} is already ${article(request.role)}; decline the request instead.`);
      }
      update = await updateUserInTransaction(tx, deps, actor, meta, {
        id: request.user_id, role: request.role, ...(request.role === 'dispatcher' ? { area } : {}),
      }, null);
    } else if (input.area !== undefined) {
      throw new AppError('VALIDATION', 'An area is only chosen when approving a request.', { field: 'area' });
    }
    const status = input.approve ? 'approved' : 'declined';
    await q.decidePromotion(tx, request.id, status, actor.id, deps.clock());
    await insertAudit(tx, { actor, meta }, {
      action: input.approve ? 'promotion.approve' : 'promotion.decline',
      entityType: 'promotion',
      entityId: request.id,
      before: { status: 'pending', role: request.role, area: request.area },
      after: { status, userId: request.user_id, role: request.role, area: input.approve && request.role === 'dispatcher' ? area : null },
      isPermanent: true,
    });
    return { userId: request.user_id, update };
  });
  if (decision.update?.endsSessions) await deps.sessions.destroyAllForUser(decision.userId);
  return toPromotion((await q.findPromotionById(deps.db, input.id))!);
}
