import { userCreateInput, userListInput, userUpdateInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import * as users from './service';

export const userRouter = router({
  create: authedProcedure.input(userCreateInput).mutation(({ ctx, input }) => users.createUser(ctx.deps, ctx.actor, ctx.meta, input)),
  list: authedProcedure.input(userListInput).query(({ ctx, input }) => users.listUsers(ctx.deps, input)),
  update: authedProcedure.input(userUpdateInput).mutation(({ ctx, input }) => users.updateUser(ctx.deps, ctx.actor, ctx.meta, input)),
});
