import { AppError, MUTATION_ARGS, type MutationName, type Role } from '@tracetrack/shared';
import type { Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../../trpc/context';
import * as bags from '../bags/service';
import type { ScanEffect } from '../scans/service';

type Effect = (tx: Tx, actor: Actor, meta: RequestMeta, args: any, now: Date) => Promise<ScanEffect<unknown>>;

interface MutationHandler {
  roles: readonly Role[];
  effect: Effect;
}

const EVERYONE: readonly Role[] = ['admin', 'biller', 'dispatcher'];

/**
 * Each mutation name maps to the SAME service function its online procedure calls; sync adds
 * nothing but validation and the role rule the procedure builder would have applied.
 */
const handlers: Partial<Record<MutationName, MutationHandler>> = {
  'parent.scan': { roles: EVERYONE, effect: (tx, actor, _meta, args) => bags.scanParent(tx, actor, args) },
  'child.link': { roles: EVERYONE, effect: (tx, actor, _meta, args, now) => bags.linkChildToParent(tx, actor, args, now) },
  'child.unlink': { roles: EVERYONE, effect: (tx, actor, _meta, args, now) => bags.unlinkChild(tx, actor, args, now) },
};

/** Validates and runs one mutation inside the caller's transaction; refusals are AppErrors. */
export async function runMutation(tx: Tx, actor: Actor, meta: RequestMeta, name: string, rawArgs: unknown, now: Date) {
  const schema = (MUTATION_ARGS as Record<string, (typeof MUTATION_ARGS)[MutationName] | undefined>)[name];
  const handler = handlers[name as MutationName];
  if (!schema || !handler) throw new AppError('VALIDATION', `Unknown mutation "${name.slice(0, 50)}".`);
  const parsed = schema.safeParse(rawArgs);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ');
    throw new AppError('VALIDATION', `Invalid ${name}: ${fields}`);
  }
  if (!handler.roles.includes(actor.role)) throw new AppError('FORBIDDEN', `Only ${handler.roles.join(' or ')} users can do ${name}.`);
  return handler.effect(tx, actor, meta, parsed.data, now);
}
