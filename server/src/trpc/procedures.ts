import { AppError, type Role } from '@tracetrack/shared';
import { baseProcedure, middleware } from './init';

export const publicProcedure = baseProcedure;

const requireActor = middleware(({ ctx, next }) => {
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

export const authedProcedure = baseProcedure.use(requireActor);

const requireRole = (...roles: Role[]) =>
  middleware(({ ctx, next }) => {
    const actor = (ctx as { actor: { role: Role } | null }).actor;
    if (!actor || !roles.includes(actor.role)) {
      throw new AppError('FORBIDDEN', `Only ${roles.join(' or ')} users can do this.`);
    }
    return next();
  });

/** Billers and admins: bills and unrestricted bag lists. */
export const staffProcedure = authedProcedure.use(requireRole('admin', 'biller'));
export const adminProcedure = authedProcedure.use(requireRole('admin'));
