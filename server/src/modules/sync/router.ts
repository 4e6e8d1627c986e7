import { syncPullInput, syncPushInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { pullForDevice } from './pull';
import { pushMutations } from './service';

export const syncRouter = router({
  push: authedProcedure.input(syncPushInput).mutation(({ ctx, input }) => {
    // The request's access line names the device.
    if (ctx.access) ctx.access.deviceId = input.deviceId;
    return pushMutations(ctx.deps, ctx.actor, ctx.meta, input);
  }),
  pull: authedProcedure.input(syncPullInput).query(({ ctx, input }) => pullForDevice(ctx.deps, ctx.actor, input)),
});
