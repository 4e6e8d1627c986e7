import type { Actor, RequestMeta } from '../../trpc/context';
import { NO_AREA_SCOPE } from '../counters/queries';
import type { ScanWork } from '../scans/service';
import type { BillWrite } from './service';

/**
 * A bill write as scan work: the sync engine and the online bill procedures run the same
 * BillWrite inside the scan transaction, so each call is also a stored scan event.
 * The write audits itself, so the effect carries no audit entry.
 */
export function billScanWork<I>(actor: Actor, meta: RequestMeta, write: BillWrite<I>, input: I): ScanWork {
  return {
    kind: 'effect',
    run: async (tx) => {
      const { output, refs } = await write(tx, actor, meta, input);
      return { status: output.outcome, message: output.message, data: output, refs, scope: NO_AREA_SCOPE };
    },
  };
}
