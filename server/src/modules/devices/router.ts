import { deviceListInput, deviceRegisterInput, deviceReportInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { listDeviceHealth, registerDevice, reportOutbox } from './service';

export const deviceRouter = router({
  /** Per-device sync health: last seq, pushes, seq gaps and refusals. */
  list: authedProcedure.input(deviceListInput).query(({ ctx, input }) => listDeviceHealth(ctx.deps, input)),
  /** What waits on the handheld (its outbox), sent when it comes back online or a push fails. */
  report: authedProcedure.input(deviceReportInput).mutation(({ ctx, input }) => reportOutbox(ctx.deps, ctx.actor, input)),
  register: authedProcedure.input(deviceRegisterInput).mutation(({ ctx, input }) => registerDevice(ctx.deps, ctx.actor, ctx.meta, input)),
});
