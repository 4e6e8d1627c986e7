import { MUTATION_PROCEDURES, type MutationName, type ParsedMutationArgs, refusalOf } from '@tracetrack/shared';
import type { Actor } from '../actor';
import * as bills from '../bills/service';
import * as returns from '../returns/service';
import { NO_AREA_SCOPE } from '../counters/deltas';
import type { ReadMutation } from './commands';
import type { ScanWork } from './types';

/**
 * A bill write as scan work: the sync engine and the online bill procedures run the same
 * BillWrite inside the scan transaction, so each call is also a stored scan event. Its audit row
 * is written by the scan batch, which adds the device and seq (null online), as for bag scans.
 */
function billWork<I>(actor: Actor, write: bills.BillWrite<I>, input: I): ScanWork {
  return {
    kind: 'effect',
    run: async (tx) => {
      const { output, refs, audit } = await write(tx, actor, input);
      return { status: output.outcome, message: output.message, data: output, refs, scope: NO_AREA_SCOPE, ...(audit ? { audit } : {}) };
    },
  };
}

/** A return-ticket write as scan work, like billWork: online and synced calls share it. */
function returnWork<I>(actor: Actor, write: returns.ReturnWrite<I>, input: I): ScanWork {
  return {
    kind: 'effect',
    run: async (tx, at) => {
      const { output, refs, audits } = await write(tx, actor, input, at);
      return { status: output.outcome, message: output.message, data: output, refs, scope: NO_AREA_SCOPE, audits };
    },
  };
}

/**
 * The work of each command: bag scans go to the set-based bag batch, bill mutations to the same
 * service functions the bill procedures call.
 */
const WORK: { [N in MutationName]: (actor: Actor, args: ParsedMutationArgs<N>) => ScanWork } = {
  'parent.scan': (_actor, args) => ({ kind: 'bag', command: { name: 'parent.scan', args } }),
  'child.link': (_actor, args) => ({ kind: 'bag', command: { name: 'child.link', args } }),
  'child.unlink': (_actor, args) => ({ kind: 'bag', command: { name: 'child.unlink', args } }),
  'bill.create': (actor, args) => billWork(actor, bills.createBill, args),
  'bill.addParent': (actor, args) => billWork(actor, bills.addParentToBill, args),
  'bill.removeParent': (actor, args) => billWork(actor, bills.removeParentFromBill, args),
  'bill.complete': (actor, args) => billWork(actor, bills.completeBill, args),
  'return.create': (actor, args) => returnWork(actor, returns.createReturnTicket, args),
  'return.scan': (actor, args) => returnWork(actor, returns.scanReturn, args),
  'return.finalize': (actor, args) => returnWork(actor, returns.finalizeReturnTicket, args),
  'return.cancel': (actor, args) => returnWork(actor, returns.cancelReturnTicket, args),
};

export function commandWork<N extends MutationName>(actor: Actor, name: N, args: ParsedMutationArgs<N>): ScanWork {
  return WORK[name](actor, args);
}

/**
 * The work for one synced mutation. Anything wrong with the mutation itself (unreadable, or not
 * allowed to this actor by its procedure's row in the permission table) is a refusal of that
 * mutation alone.
 */
export function toScanWork(actor: Actor, read: ReadMutation): ScanWork {
  if (!read.isValid) return { kind: 'refused', error: read.error };
  const refusal = refusalOf(MUTATION_PROCEDURES[read.command.name], actor);
  if (refusal) return { kind: 'refused', error: refusal };
  return commandWork(actor, read.command.name, read.command.args);
}
