import { type BillMutationOutput, billCompleteInput, billCreateInput, billListInput, billParentInput, billRefInput, billUpdateInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { runOnlineScan } from '../scans/service';
import { billScanWork } from './scan-work';
import * as bills from './service';

/**
 * Billers and admins write, admins delete, every signed-in role reads. The writes a handheld can
 * also queue offline (create, add, remove, complete) run as scans, so they share sync's path.
 */
export const billRouter = router({
  create: authedProcedure
    .input(billCreateInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<BillMutationOutput>(ctx.deps, ctx.actor, ctx.meta, 'bill.create', input, billScanWork(ctx.actor, bills.createBill, input)),
    ),
  update: authedProcedure
    .input(billUpdateInput)
    .mutation(({ ctx, input }) => bills.applyBillWrite(ctx.deps, ctx.actor, ctx.meta, bills.updateBill, input)),
  addParent: authedProcedure
    .input(billParentInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<BillMutationOutput>(ctx.deps, ctx.actor, ctx.meta, 'bill.addParent', input, billScanWork(ctx.actor, bills.addParentToBill, input)),
    ),
  removeParent: authedProcedure
    .input(billParentInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<BillMutationOutput>(ctx.deps, ctx.actor, ctx.meta, 'bill.removeParent', input, billScanWork(ctx.actor, bills.removeParentFromBill, input)),
    ),
  complete: authedProcedure
    .input(billCompleteInput)
    .mutation(({ ctx, input }) =>
      runOnlineScan<BillMutationOutput>(ctx.deps, ctx.actor, ctx.meta, 'bill.complete', input, billScanWork(ctx.actor, bills.completeBill, input)),
    ),
  reopen: authedProcedure
    .input(billRefInput)
    .mutation(({ ctx, input }) => bills.applyBillWrite(ctx.deps, ctx.actor, ctx.meta, bills.reopenBill, input)),
  delete: authedProcedure
    .input(billRefInput)
    .mutation(({ ctx, input }) => bills.applyBillWrite(ctx.deps, ctx.actor, ctx.meta, bills.deleteBill, input)),
  get: authedProcedure.input(billRefInput).query(({ ctx, input }) => bills.getBill(ctx.deps, input)),
  list: authedProcedure.input(billListInput).query(({ ctx, input }) => bills.listBills(ctx.deps, input)),
});
