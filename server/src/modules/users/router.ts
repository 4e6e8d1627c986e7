import { userCreateInput, userListInput, userUpdateInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { adminProcedure } from '../../trpc/procedures';
import * as users from './service';

export const userRouter = router({
  create: adminProcedure.input(userCreateInput).mutation(({ ctx, input }) => users.createUser(ctx.deps, ctx.actor, ctx.meta, input)),
  list: adminProcedure.input(userListInput).query(({ ctx, input }) => users.listUsers(ctx.deps, input)),
  update: adminProcedure.input(userUpdateInput).mutation(({ ctx, input }) => users.updateUser(ctx.deps, ctx.actor, ctx.meta, input)),
});
