import { returnListInput, returnTicketRefInput, returnUpdateInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { scanProcedure } from '../scans/procedure';
import * as returns from './service';

/** The writes a device can queue offline (create, scan, finalise, cancel) run as scans, so they share sync's path. */
export const returnRouter = router({
  create: scanProcedure('return.create'),
  scan: scanProcedure('return.scan'),
  finalize: scanProcedure('return.finalize'),
  cancel: scanProcedure('return.cancel'),
  update: authedProcedure.input(returnUpdateInput).mutation(({ ctx, input }) => returns.applyReturnWrite(ctx.deps, ctx.actor, ctx.meta, returns.updateReturnTicket, input)),
  get: authedProcedure.input(returnTicketRefInput).query(({ ctx, input }) => returns.getReturnTicket(ctx.deps, input)),
  list: authedProcedure.input(returnListInput).query(({ ctx, input }) => returns.listReturnTickets(ctx.deps, input)),
});
