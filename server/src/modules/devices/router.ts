import { deviceRegisterInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { registerDevice } from './service';

export const deviceRouter = router({
  register: authedProcedure.input(deviceRegisterInput).mutation(({ ctx, input }) => registerDevice(ctx.deps, ctx.actor, ctx.meta, input)),
});
