import { promotionDecideInput, promotionListInput, promotionRequestInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import * as promotions from './service';

export const promotionRouter = router({
  request: authedProcedure.input(promotionRequestInput).mutation(({ ctx, input }) => promotions.requestPromotion(ctx.deps, ctx.actor, ctx.meta, input)),
  mine: authedProcedure.query(({ ctx }) => promotions.myPromotion(ctx.deps, ctx.actor)),
  list: authedProcedure.input(promotionListInput).query(({ ctx, input }) => promotions.listPromotions(ctx.deps, input)),
  decide: authedProcedure.input(promotionDecideInput).mutation(({ ctx, input }) => promotions.decidePromotion(ctx.deps, ctx.actor, ctx.meta, input)),
});
