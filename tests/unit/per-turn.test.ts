import { describe, expect, it } from 'vitest';
import { batchPerTurn, endOfTurn } from '../../server/src/infra/per-turn';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('batchPerTurn', () => {
  it('answers every call of one turn from one run, in order, duplicates included', async () => {
    const runs: number[][] = [];
    const square = batchPerTurn<number, number>(async (keys) => {
      runs.push([...keys]);
      return keys.map((k) => k * k);
    });
    expect(await Promise.all([square(2), square(3), square(2)])).toEqual([4, 9, 4]);
    expect(runs).toEqual([[2, 3, 2]]);
  });

  it('runs calls of later turns apart: nothing is answered from an earlier run', async () => {
    let calls = 0;
    const read = batchPerTurn<string, string>(async (keys) => {
      calls += 1;
      return keys.map((k) => `${k}@${calls}`);
    });
    const first = read('a');
    await nextTurn();
    const second = read('a');
    expect([await first, await second]).toEqual(['a@1', 'a@2']);
  });

  it('fails every call of a failed run, thrown or rejected, and the next turn runs again', async () => {
    let fail: 'throw' | 'reject' | null = 'throw';
    const read = batchPerTurn<number, number>((keys) => {
      if (fail === 'throw') throw new Error('down');
      if (fail === 'reject') return Promise.reject(new Error('refused'));
      return Promise.resolve(keys);
    });
    await expect(Promise.all([read(1), read(2)])).rejects.toThrow('down');
    fail = 'reject';
    const both = await Promise.allSettled([read(1), read(2)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = null;
    expect(await read(3)).toBe(3);
  });
});

describe('endOfTurn', () => {
  it('is one promise for the whole turn, settled after it, and a new one in the next', async () => {
    const order: string[] = [];
    const a = endOfTurn();
    expect(endOfTurn()).toBe(a);
    void a.then(() => order.push('end'));
    await Promise.resolve();
    order.push('same turn');
    await a;
    expect(order).toEqual(['same turn', 'end']);
    expect(endOfTurn()).not.toBe(a);
  });
});
