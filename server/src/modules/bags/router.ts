import { bagDeleteInput, bagGetInput, bagListInput, bagSetAreaInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { scanProcedure } from '../scans/procedure';
import * as bags from './service';

export const bagRouter = router({
  scanParent: scanProcedure('parent.scan'),
  linkChild: scanProcedure('child.link'),
  unlinkChild: scanProcedure('child.unlink'),
  get: authedProcedure.input(bagGetInput).query(({ ctx, input }) => bags.getBag(ctx.deps, input)),
  list: authedProcedure.input(bagListInput).query(({ ctx, input }) => bags.listBags(ctx.deps, ctx.actor, input)),
  delete: authedProcedure.input(bagDeleteInput).mutation(({ ctx, input }) => bags.deleteBag(ctx.deps, ctx.actor, ctx.meta, input)),
  setArea: authedProcedure.input(bagSetAreaInput).mutation(({ ctx, input }) => bags.setBagArea(ctx.deps, ctx.actor, ctx.meta, input)),
});
