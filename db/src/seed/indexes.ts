import type pg from 'pg';

interface Definition {
  table: string;
  name: string;
  def: string;
}

export interface SecondaryStructures {
  foreignKeys: Definition[];
  uniques: Definition[];
  indexes: Definition[];
}

/**
 * Everything on these tables except primary keys and checks: foreign keys (on them or pointing
 * at them), unique constraints and plain indexes. Loading without them and building them once
 * afterwards (a sort per index, one join per foreign key) is what pg_restore does too.
 */
export async function readSecondaryStructures(client: pg.Client, tables: string[]): Promise<SecondaryStructures> {
  const rel = tables.map((t) => `'${t}'::regclass`).join(', ');
  const constraints = await client.query<Definition & { kind: string }>(`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def, contype as kind
    from pg_constraint
    where (contype = 'f' and (conrelid in (${rel}) or confrelid in (${rel}))) or (contype = 'u' and conrelid in (${rel}))
    order by conname`);
  const indexes = await client.query<Definition>(`
    select i.indrelid::regclass::text as table, i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i
    where i.indrelid in (${rel})
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
    order by 2`);
  return {
    foreignKeys: constraints.rows.filter((r) => r.kind === 'f'),
    uniques: constraints.rows.filter((r) => r.kind === 'u'),
    indexes: indexes.rows,
  };
}

export async function dropSecondaryStructures(client: pg.Client, s: SecondaryStructures): Promise<void> {
  for (const c of [...s.foreignKeys, ...s.uniques]) await client.query(`alter table ${c.table} drop constraint ${c.name}`);
  for (const i of s.indexes) await client.query(`drop index ${i.name}`);
}

/** Indexes and unique constraints first (the foreign keys need the referenced unique ones). */
export async function createSecondaryStructures(client: pg.Client, s: SecondaryStructures, log: (step: string, ms: number) => void): Promise<void> {
  const timed = async (label: string, sql: string) => {
    const t0 = performance.now();
    await client.query(sql);
    log(label, performance.now() - t0);
  };
  for (const u of s.uniques) await timed(`unique ${u.name}`, `alter table ${u.table} add constraint ${u.name} ${u.def}`);
  for (const i of s.indexes) await timed(`index ${i.name}`, i.def);
  for (const f of s.foreignKeys) await timed(`foreign key ${f.name}`, `alter table ${f.table} add constraint ${f.name} ${f.def}`);
}
