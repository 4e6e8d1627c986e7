export interface SeqRange {
  fromSeq: number;
  toSeq: number;
}

export interface OpenGap extends SeqRange {
  id: number;
  detectedAt: Date;
}

/** What a push does to the device's seq bookkeeping, decided under the device lock. */
export interface SeqPlan {
  /** Highest seq the server has seen from the device, this push included. */
  lastSeq: number;
  /** Seqs above the old last_seq that were skipped: new open gaps. */
  newGaps: SeqRange[];
  /** Open gaps this push (partly) filled, each replaced by its filled and still-open pieces. */
  splits: Array<{ gap: OpenGap; pieces: Array<SeqRange & { isFilled: boolean }> }>;
  /** Every seq up to here has reached the server and has a final outcome: just before the first open gap. */
  ackedThroughSeq: number;
}

/**
 * `received` is every seq the server now holds above the old `lastSeq` or in an open gap: all of
 * the request's seqs (new, replayed or repeated alike) and any stored by an earlier push that
 * failed before its last chunk committed the device's progress.
 */
export function planSeqGaps(lastSeq: number, received: Iterable<number>, openGaps: readonly OpenGap[]): SeqPlan {
  const seqs = [...new Set(received)].sort((a, b) => a - b);

  const newGaps: SeqRange[] = [];
  let next = lastSeq + 1;
  for (const seq of seqs) {
    if (seq < next) continue;
    if (seq > next) newGaps.push({ fromSeq: next, toSeq: seq - 1 });
    next = seq + 1;
  }

  const splits: SeqPlan['splits'] = [];
  const stillOpen: SeqRange[] = [...newGaps];
  for (const gap of openGaps) {
    const inside = seqs.filter((s) => s >= gap.fromSeq && s <= gap.toSeq);
    if (inside.length === 0) {
      stillOpen.push(gap);
      continue;
    }
    const pieces: Array<SeqRange & { isFilled: boolean }> = [];
    let cursor = gap.fromSeq;
    for (const seq of inside) {
      if (seq > cursor) pieces.push({ fromSeq: cursor, toSeq: seq - 1, isFilled: false });
      const last = pieces.at(-1);
      if (last?.isFilled && last.toSeq === seq - 1) last.toSeq = seq;
      else pieces.push({ fromSeq: seq, toSeq: seq, isFilled: true });
      cursor = seq + 1;
    }
    if (cursor <= gap.toSeq) pieces.push({ fromSeq: cursor, toSeq: gap.toSeq, isFilled: false });
    splits.push({ gap, pieces });
    stillOpen.push(...pieces.filter((p) => !p.isFilled));
  }

  const newLastSeq = Math.max(lastSeq, next - 1);
  const firstOpen = Math.min(...stillOpen.map((g) => g.fromSeq));
  return { lastSeq: newLastSeq, newGaps, splits, ackedThroughSeq: Number.isFinite(firstOpen) ? firstOpen - 1 : newLastSeq };
}
