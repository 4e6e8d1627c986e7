import { billListInput, billRefInput, billUpdateInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { scanProcedure } from '../scans/procedure';
import * as bills from './service';

/** The writes a handheld can also queue offline (create, add, remove, complete) run as scans, so they share sync's path. */
export const billRouter = router({
  create: scanProcedure('bill.create'),
  update: authedProcedure.input(billUpdateInput).mutation(({ ctx, input }) => bills.applyBillWrite(ctx.deps, ctx.actor, ctx.meta, bills.updateBill, input)),
  addParent: scanProcedure('bill.addParent'),
  removeParent: scanProcedure('bill.removeParent'),
  complete: scanProcedure('bill.complete'),
  reopen: authedProcedure.input(billRefInput).mutation(({ ctx, input }) => bills.applyBillWrite(ctx.deps, ctx.actor, ctx.meta, bills.reopenBill, input)),
  delete: authedProcedure.input(billRefInput).mutation(({ ctx, input }) => bills.applyBillWrite(ctx.deps, ctx.actor, ctx.meta, bills.deleteBill, input)),
  get: authedProcedure.input(billRefInput).query(({ ctx, input }) => bills.getBill(ctx.deps, input)),
  list: authedProcedure.input(billListInput).query(({ ctx, input }) => bills.listBills(ctx.deps, input)),
});
