import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor, decodeIdCursor, encodeCursor, encodeIdCursor, idKeysetPage, keysetPage } from '../../server/src/infra/keyset-cursor';

describe('the keyset cursor', () => {
  it('round-trips an id and is opaque text', () => {
    const cursor = encodeIdCursor(4711);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeIdCursor(cursor)).toBe(4711);
    expect(decodeIdCursor(undefined)).toBeNull();
  });

  it.each(['not-a-cursor', encodeIdCursor(0), Buffer.from('{"id":"7"}').toString('base64url'), Buffer.from('[1]').toString('base64url')])(
    'refuses the forged cursor %j as VALIDATION on the cursor field',
    (cursor) => {
      expect(() => decodeIdCursor(cursor)).toThrow(expect.objectContaining({ code: 'VALIDATION', details: { field: 'cursor' } }));
    },
  );
});

describe('a cursor of several fields (lists in another order than id)', () => {
  const shape = z.object({ micros: z.string().regex(/^\d+$/), id: z.number().int().positive() });
  it('round-trips the position and refuses one of another shape', () => {
    const cursor = encodeCursor({ micros: '1717171717171717', id: 42 });
    expect(decodeCursor(shape, cursor)).toEqual({ micros: '1717171717171717', id: 42 });
    expect(decodeCursor(shape, undefined)).toBeNull();
    expect(() => decodeCursor(shape, encodeIdCursor(42))).toThrow(expect.objectContaining({ code: 'VALIDATION', details: { field: 'cursor' } }));
  });
});

describe('a keyset page', () => {
  const rows = [{ id: 9 }, { id: 7 }, { id: 4 }];
  it('keeps the limit and points after its last row when one more row was fetched', () => {
    const { page, nextCursor } = idKeysetPage(rows, 2);
    expect(page).toEqual([{ id: 9 }, { id: 7 }]);
    expect(decodeIdCursor(nextCursor!)).toBe(7);
  });

  it('has no next cursor on the last page', () => {
    expect(idKeysetPage(rows, 3)).toEqual({ page: rows, nextCursor: null });
    expect(keysetPage([], 5, () => 'x')).toEqual({ page: [], nextCursor: null });
  });
});
