import { describe, expect, it } from 'vitest';
import type { BillRow, OutboxRow } from '../../client/src/local-db/db';
import { pendingForBill, pendingReturnCodes, viewFromDevice, withPending } from '../../client/src/features/bills/bill-view';

let seq = 0;
const queued = (name: OutboxRow['name'], args: Record<string, unknown>): OutboxRow => ({
  id: `o${++seq}`, seq, name, args, clientTime: new Date(1_000 * seq).toISOString(), userId: 1, createdAt: 1_000 * seq,
});
const stored: BillRow = {
  billNumber: 'BILL-7', status: 'loading', capacity: 3, parentCount: 2, destination: null, vehicleNumber: null, description: null, updatedAt: 0,
  parents: [{ code: 'SB00001', format: 'SB', childCount: 30 }, { code: 'SB00002', format: 'SB', childCount: 12 }],
};
const waitingOf = (view: ReturnType<typeof withPending>) => Object.fromEntries(view.parents.map((p) => [p.code, p.waiting]));

describe('bill page with the device\'s queued writes (pure)', () => {
  it('marks a parent with a queued return scan as returning, whatever ticket it is on, and leaves the totals alone', () => {
    const rows = [queued('return.scan', { ticketId: 't1', code: 'sb00002' }), queued('return.scan', { ticketId: 't2', code: 'SB00099' })];
    const base = viewFromDevice(stored);
    const view = withPending(base, pendingForBill(rows, 'BILL-7'), () => null, pendingReturnCodes(rows));
    expect(waitingOf(view)).toEqual({ SB00001: null, SB00002: 'return' });
    expect(view.parents).toHaveLength(2);
    expect([view.parentCount, view.actualWeightKg]).toEqual([base.parentCount, base.actualWeightKg]);
  });

  it('shows a queued removal as a removal even when a return scan of the same parent is queued', () => {
    const rows = [queued('bill.removeParent', { billNumber: 'bill-7', parentCode: 'SB00001' }), queued('return.scan', { ticketId: 't1', code: 'SB00001' })];
    const view = withPending(viewFromDevice(stored), pendingForBill(rows, 'BILL-7'), () => null, pendingReturnCodes(rows));
    expect(waitingOf(view)).toEqual({ SB00001: 'remove', SB00002: null });
  });

  it('lays queued adds and removals over the page, and an add and a removal of one parent cancel out', () => {
    const rows = [
      queued('bill.addParent', { billNumber: 'BILL-7', parentCode: 'SB00003' }),
      queued('bill.addParent', { billNumber: 'BILL-7', parentCode: 'SB00004' }),
      queued('bill.removeParent', { billNumber: 'BILL-7', parentCode: 'SB00004' }),
      queued('bill.addParent', { billNumber: 'BILL-8', parentCode: 'SB00005' }),
      queued('bill.complete', { billNumber: 'BILL-7' }),
    ];
    const view = withPending(viewFromDevice(stored), pendingForBill(rows, 'BILL-7'), (code) => (code === 'SB00003' ? 7 : null));
    expect(waitingOf(view)).toEqual({ SB00001: null, SB00002: null, SB00003: 'add' });
    expect(view.parents.find((p) => p.code === 'SB00003')?.childCount).toBe(7);
    expect(view.isCompletionWaiting).toBe(true);
  });
});
