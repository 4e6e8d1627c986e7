import { syncPullInput, syncPushInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { pullChanges } from './pull';
import { pushMutations } from './service';

export const syncRouter = router({
  push: authedProcedure.input(syncPushInput).mutation(({ ctx, input }) => pushMutations(ctx.deps, ctx.actor, ctx.meta, input)),
  pull: authedProcedure.input(syncPullInput).query(({ ctx, input }) => pullChanges(ctx.deps, ctx.actor, input)),
});
