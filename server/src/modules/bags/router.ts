import {
  bagDeleteInput,
  bagGetInput,
  bagListInput,
  bagSetAreaInput,
  type LinkChildOutput,
  linkChildInput,
  scanParentInput,
  type ScanParentOutput,
  unlinkChildInput,
  type UnlinkChildOutput,
} from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { runOnlineScan } from '../scans/service';
import * as bags from './service';

export const bagRouter = router({
  scanParent: authedProcedure
    .input(scanParentInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<ScanParentOutput>(ctx.deps, ctx.actor, ctx.meta, 'parent.scan', input, { kind: 'bag', command: { name: 'parent.scan', args: input } }),
    ),
  linkChild: authedProcedure
    .input(linkChildInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<LinkChildOutput>(ctx.deps, ctx.actor, ctx.meta, 'child.link', input, { kind: 'bag', command: { name: 'child.link', args: input } }),
    ),
  unlinkChild: authedProcedure
    .input(unlinkChildInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<UnlinkChildOutput>(ctx.deps, ctx.actor, ctx.meta, 'child.unlink', input, { kind: 'bag', command: { name: 'child.unlink', args: input } }),
    ),
  get: authedProcedure.input(bagGetInput).query(({ ctx, input }) => bags.getBag(ctx.deps, input)),
  list: authedProcedure.input(bagListInput).query(({ ctx, input }) => bags.listBags(ctx.deps, ctx.actor, input)),
  delete: authedProcedure.input(bagDeleteInput).mutation(({ ctx, input }) => bags.deleteBag(ctx.deps, ctx.actor, ctx.meta, input)),
  setArea: authedProcedure.input(bagSetAreaInput).mutation(({ ctx, input }) => bags.setBagArea(ctx.deps, ctx.actor, ctx.meta, input)),
});
