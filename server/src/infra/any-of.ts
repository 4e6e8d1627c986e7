import { type RawBuilder, sql } from 'kysely';

/**
 * `column = any($1::type[])`: one array parameter instead of `in ($1, …, $n)`. The statement text
 * is the same for any list length, so it is prepared once per connection and Postgres does not
 * parse and plan a list of hundreds of parameters on every batch.
 */
export function anyOf(column: string, values: readonly (string | number)[], type: 'bigint' | 'text' | 'uuid'): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} = any(${values}::${sql.raw(type)}[])`;
}
