import { exportCountInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { countExport } from './service';

/** The files themselves are plain HTTP downloads (routes.ts); this says how many rows they hold. */
export const exportRouter = router({
  count: authedProcedure.input(exportCountInput).query(({ ctx, input }) => countExport(ctx.deps, ctx.actor, input)),
});
