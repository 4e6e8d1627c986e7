import { labelListInput, labelReserveInput, labelSheetInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import * as labels from './service';

export const labelRouter = router({
  reserve: authedProcedure.input(labelReserveInput).mutation(({ ctx, input }) => labels.reserveLabels(ctx.deps, ctx.actor, ctx.meta, input)),
  list: authedProcedure.input(labelListInput).query(({ ctx, input }) => labels.listReservations(ctx.deps, input)),
  sheet: authedProcedure.input(labelSheetInput).query(({ ctx, input }) => labels.getLabelSheet(ctx.deps, input)),
});
