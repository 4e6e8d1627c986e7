import { randomUUID } from 'node:crypto';
import { MAX_MUTATIONS_PER_PUSH, MAX_REQUEST_BODY_BYTES, type Mutation } from '@tracetrack/shared';
import { describe, expect, it } from 'vitest';
import { fitPushBody } from '../../client/src/local-db/push-batch';

const row = (seq: number, description = ''): Mutation => ({
  id: randomUUID(), seq, name: 'bill.create', args: { billNumber: `B-${seq}`, capacity: 5, description }, clientTime: new Date().toISOString(),
});
const bodyBytes = (rows: Mutation[]) => Buffer.byteLength(JSON.stringify({ 0: { deviceId: randomUUID(), mutations: rows } }));

describe('sizing a push under the server body limit', () => {
  it('sends a full batch of ordinary scans', () => {
    const rows = Array.from({ length: MAX_MUTATIONS_PER_PUSH }, (_, i) => row(i + 1));
    expect(fitPushBody(rows)).toEqual({ batch: rows, unsendable: null });
  });

  it('sends the oldest rows that fit when long texts would pass the limit, the rest next time', () => {
    // 500 bills with long Devanagari descriptions: ~2.6 KB each in UTF-8, 1.3 MB in all.
    const rows = Array.from({ length: MAX_MUTATIONS_PER_PUSH }, (_, i) => row(i + 1, 'अ'.repeat(500) + 'x'.repeat(1_000)));
    expect(bodyBytes(rows)).toBeGreaterThan(MAX_REQUEST_BODY_BYTES);
    const { batch, unsendable } = fitPushBody(rows);
    expect(unsendable).toBeNull();
    expect(batch.length).toBeGreaterThan(100);
    expect(batch).toEqual(rows.slice(0, batch.length));
    expect(bodyBytes(batch)).toBeLessThan(MAX_REQUEST_BODY_BYTES);
  });

  it('gives up on a row that cannot fit even alone instead of retrying it forever', () => {
    const huge = row(1, 'x'.repeat(MAX_REQUEST_BODY_BYTES));
    expect(fitPushBody([huge, row(2)])).toEqual({ batch: [], unsendable: huge });
  });
});
