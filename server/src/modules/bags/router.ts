import {
  bagDeleteInput,
  bagGetInput,
  bagListInput,
  linkChildInput,
  scanParentInput,
  unlinkChildInput,
} from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { adminProcedure, authedProcedure } from '../../trpc/procedures';
import { runOnlineScan } from '../scans/service';
import * as bags from './service';

export const bagRouter = router({
  scanParent: authedProcedure
    .input(scanParentInput)
    .mutation(({ ctx, input }) => runOnlineScan(ctx.deps, ctx.actor, ctx.meta, 'parent.scan', input, (tx) => bags.scanParent(tx, ctx.actor, input))),
  linkChild: authedProcedure
    .input(linkChildInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan(ctx.deps, ctx.actor, ctx.meta, 'child.link', input, (tx) => bags.linkChildToParent(tx, ctx.actor, input, ctx.deps.clock())),
    ),
  unlinkChild: authedProcedure
    .input(unlinkChildInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan(ctx.deps, ctx.actor, ctx.meta, 'child.unlink', input, (tx) => bags.unlinkChild(tx, ctx.actor, input, ctx.deps.clock())),
    ),
  get: authedProcedure.input(bagGetInput).query(({ ctx, input }) => bags.getBag(ctx.deps, input)),
  list: authedProcedure.input(bagListInput).query(({ ctx, input }) => bags.listBags(ctx.deps, ctx.actor, input)),
  delete: adminProcedure.input(bagDeleteInput).mutation(({ ctx, input }) => bags.deleteBag(ctx.deps, ctx.actor, ctx.meta, input)),
});
