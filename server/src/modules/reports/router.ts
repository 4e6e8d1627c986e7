import { endOfDayInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { getEndOfDay } from './service';

export const reportRouter = router({
  endOfDay: authedProcedure.input(endOfDayInput).query(({ ctx, input }) => getEndOfDay(ctx.deps, input)),
});
