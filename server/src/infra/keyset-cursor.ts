import { AppError } from '@tracetrack/shared';
import { z } from 'zod';

/**
 * Keyset paging for every list: the cursor is the last row's sort key (its id, or a few fields for
 * lists in another order), opaque to the client (base64url JSON), and a page is fetched with one
 * row more than its limit to know whether another follows.
 */
export function encodeCursor(position: Record<string, string | number | boolean>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor points after, checked against the list's shape; null without a cursor. */
export function decodeCursor<T>(shape: z.ZodType<T>, cursor: string | undefined): T | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('VALIDATION', 'The page cursor is not valid; start from the first page.', { field: 'cursor' });
  }
}

const idShape = z.object({ id: z.number().int().positive() });

export function encodeIdCursor(id: number): string {
  return encodeCursor({ id });
}

/** The id a cursor points after (or before, for newest-first lists); null without a cursor. */
export function decodeIdCursor(cursor: string | undefined): number | null {
  return decodeCursor(idShape, cursor)?.id ?? null;
}

/** The page of a query that fetched `limit + 1` rows, and the cursor to the next page (null on the last). */
export function keysetPage<R>(rows: readonly R[], limit: number, cursorOf: (row: R) => string): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** keysetPage for lists keyed by their numeric id. */
export function idKeysetPage<R extends { id: number }>(rows: readonly R[], limit: number) {
  return keysetPage(rows, limit, (row) => encodeIdCursor(row.id));
}
