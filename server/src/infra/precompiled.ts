import type { Database } from '@tracetrack/db';
import { type CompiledQuery, CompiledQuery as Compiled, type Kysely } from 'kysely';
import type { Executor } from './transaction';

/**
 * A fixed-shape query compiled by Kysely once, then run with new parameter values: the builder
 * (node objects frozen, visited, references parsed) runs on the first call only. `build` must use
 * each argument only as a value (a parameter), never to choose the query's shape; the first call
 * compiles it with marker values and records which parameter is which argument, the others stay
 * the constants they were. The SQL text is the builder's, so statement names (connection.ts) and
 * plans are those of the built query.
 */
export function precompiled<A extends unknown[], O>(arity: A['length'], build: (db: Kysely<Database>, ...args: A) => { compile(): CompiledQuery<O> }) {
  let shape: { sql: string; slots: Array<number | { value: unknown }> } | null = null;
  return async (db: Executor, ...args: A): Promise<O[]> => {
    if (!shape) {
      const marks = Array.from({ length: arity }, (_, i) => `\u0000precompiled-argument-${i}\u0000`);
      const compiled = build(db as Kysely<Database>, ...(marks as unknown as A)).compile();
      const slots = compiled.parameters.map((p) => {
        const i = marks.indexOf(p as string);
        return i >= 0 ? i : { value: p };
      });
      const used = new Set(slots.filter((s) => typeof s === 'number'));
      if (used.size !== arity) throw new Error(`precompiled: the query uses ${used.size} of its ${arity} arguments as parameters`);
      shape = { sql: compiled.sql, slots };
    }
    const { sql, slots } = shape;
    const params = slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return (await db.executeQuery(Compiled.raw(sql, params))).rows as O[];
  };
}
