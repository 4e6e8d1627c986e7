import { describe, expect, it } from 'vitest';
import { type OpenGap, planSeqGaps } from '../../server/src/modules/sync/seq-gaps';

const at = new Date('2026-01-01T00:00:00Z');
const gap = (id: number, fromSeq: number, toSeq: number): OpenGap => ({ id, fromSeq, toSeq, detectedAt: at });

describe('planSeqGaps', () => {
  it('finds the gaps among all of a request’s seqs, in any order, with repeats', () => {
    const plan = planSeqGaps(0, [7, 2, 1, 4, 2, 7], []);
    expect(plan).toEqual({ lastSeq: 7, newGaps: [{ fromSeq: 3, toSeq: 3 }, { fromSeq: 5, toSeq: 6 }], splits: [], ackedThroughSeq: 2 });
  });

  it('acknowledges everything when nothing is missing, and ignores seqs at or below last_seq outside gaps', () => {
    expect(planSeqGaps(10, [3, 11, 12], [])).toEqual({ lastSeq: 12, newGaps: [], splits: [], ackedThroughSeq: 12 });
    expect(planSeqGaps(10, [3, 4], [])).toEqual({ lastSeq: 10, newGaps: [], splits: [], ackedThroughSeq: 10 });
  });

  it('a gap above last_seq opens before the first seq of the push', () => {
    expect(planSeqGaps(5, [9, 8], [])).toMatchObject({ lastSeq: 9, newGaps: [{ fromSeq: 6, toSeq: 7 }], ackedThroughSeq: 5 });
  });

  it('splits an open gap into filled and still-open pieces, and acknowledges up to the first open one', () => {
    const plan = planSeqGaps(20, [5, 6, 8, 21], [gap(1, 3, 9), gap(2, 15, 15)]);
    expect(plan.splits).toEqual([{
      gap: gap(1, 3, 9),
      pieces: [
        { fromSeq: 3, toSeq: 4, isFilled: false },
        { fromSeq: 5, toSeq: 6, isFilled: true },
        { fromSeq: 7, toSeq: 7, isFilled: false },
        { fromSeq: 8, toSeq: 8, isFilled: true },
        { fromSeq: 9, toSeq: 9, isFilled: false },
      ],
    }]);
    expect(plan).toMatchObject({ lastSeq: 21, newGaps: [], ackedThroughSeq: 2 });
  });

  it('a filled gap no longer holds the acknowledgement back', () => {
    const plan = planSeqGaps(9, [3, 4, 10], [gap(1, 3, 4), gap(2, 7, 7)]);
    expect(plan.splits).toEqual([{ gap: gap(1, 3, 4), pieces: [{ fromSeq: 3, toSeq: 4, isFilled: true }] }]);
    expect(plan.ackedThroughSeq).toBe(6);
    expect(planSeqGaps(10, [7], [gap(2, 7, 7)]).ackedThroughSeq).toBe(10);
  });
});
