import { deviceListInput, deviceRegisterInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { listDeviceHealth, registerDevice } from './service';

export const deviceRouter = router({
  /** Per-device sync health: last seq, pushes, seq gaps and refusals. */
  list: authedProcedure.input(deviceListInput).query(({ ctx, input }) => listDeviceHealth(ctx.deps, input)),
  register: authedProcedure.input(deviceRegisterInput).mutation(({ ctx, input }) => registerDevice(ctx.deps, ctx.actor, ctx.meta, input)),
});
