import { sql } from 'kysely';

/**
 * A timestamptz column as the ISO text `Date#toISOString` gives (UTC, milliseconds), formatted by
 * Postgres: rows that go straight to the API skip a Date parse and a re-format each.
 */
export const isoText = (column: string) => sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
