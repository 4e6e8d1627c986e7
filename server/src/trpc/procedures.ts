import { AppError, refusalOf, SIGN_IN_REFUSAL } from '@tracetrack/shared';
import { baseProcedure, middleware } from './init';

/**
 * Every procedure's gate is its row in the shared permission table, looked up by its path; the
 * builders only say whether the body needs a signed-in actor. A path without a row is refused to
 * everyone (and fails the permission-table test).
 */
const gate = middleware(({ ctx, path, next }) => {
  const refusal = refusalOf(path, ctx.actor);
  if (refusal) throw refusal;
  return next();
});

/** For rows anyone may call (sign-in, sign-out, who am I): the actor may be null. */
export const publicProcedure = baseProcedure.use(gate);

/** The gate, then a signed-in actor for the body (one middleware: tRPC copies its context at every level). */
const gateWithActor = middleware(({ ctx, path, next }) => {
  const refusal = refusalOf(path, ctx.actor);
  if (refusal) throw refusal;
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED', SIGN_IN_REFUSAL);
  return next({ ctx: { actor: ctx.actor } });
});

/** For every other row: the body gets the signed-in actor, of a role its row allows. */
export const authedProcedure = baseProcedure.use(gateWithActor);
