import { userCreateInput, userIdInput, userListInput, userUpdateInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { issuePasswordReset } from '../auth/password-reset';
import * as actions from './account-actions';
import * as users from './service';

export const userRouter = router({
  create: authedProcedure.input(userCreateInput).mutation(({ ctx, input }) => users.createUser(ctx.deps, ctx.actor, ctx.meta, input)),
  list: authedProcedure.input(userListInput).query(({ ctx, input }) => users.listUsers(ctx.deps, input)),
  update: authedProcedure.input(userUpdateInput).mutation(({ ctx, input }) => users.updateUser(ctx.deps, ctx.actor, ctx.meta, input)),
  issuePasswordReset: authedProcedure.input(userIdInput).mutation(({ ctx, input }) => issuePasswordReset(ctx.deps, ctx.actor, ctx.meta, input.userId)),
  endSessions: authedProcedure.input(userIdInput).mutation(({ ctx, input }) => actions.endUserSessions(ctx.deps, ctx.actor, ctx.meta, input.userId)),
  resetTwoFactor: authedProcedure.input(userIdInput).mutation(({ ctx, input }) => actions.resetUserTwoFactor(ctx.deps, ctx.actor, ctx.meta, input.userId)),
  deactivate: authedProcedure.input(userIdInput).mutation(({ ctx, input }) => actions.deactivateUser(ctx.deps, ctx.actor, ctx.meta, input.userId)),
});
