import type { Actor } from '../actor';
import { NO_AREA_SCOPE } from '../counters/queries';
import type { ScanWork } from '../scans/service';
import type { BillWrite } from './service';

/**
 * A bill write as scan work: the sync engine and the online bill procedures run the same
 * BillWrite inside the scan transaction, so each call is also a stored scan event. Its audit row
 * is written by the scan batch, which adds the device and seq (null online), as for bag scans.
 */
export function billScanWork<I>(actor: Actor, write: BillWrite<I>, input: I): ScanWork {
  return {
    kind: 'effect',
    run: async (tx) => {
      const { output, refs, audit } = await write(tx, actor, input);
      return { status: output.outcome, message: output.message, data: output, refs, scope: NO_AREA_SCOPE, ...(audit ? { audit } : {}) };
    },
  };
}
