import type pg from 'pg';
import { createRandom } from './random';
import { DISPATCHER_SLOTS, SEED_BILLERS, type SeedPlan } from './plan';
import { type Actors, eventsOf } from './rows';

/** Seeded users are recognisable by this e-mail domain (and --reset removes only them). */
export const SEED_EMAIL_DOMAIN = 'seed.tracetrack.test';
const SEED_ADMINS = 2;

interface UserSpec {
  username: string;
  role: 'admin' | 'biller' | 'dispatcher';
  area: string | null;
}

export interface SeededPeople {
  actors: Actors;
  users: UserSpec[];
  devices: number;
}

/** Usernames are 3–20 of [A-Za-z0-9_]: `seed_lucknow_d01`, `seed_sriganganag_d10`. */
const dispatcherName = (area: string, n: number) => `seed_${area.replace(/_/g, '').slice(0, 11)}_d${String(n).padStart(2, '0')}`;

/**
 * Users in every role and area (at most 10 dispatchers per area, counting ones already there),
 * all with one password hash computed by the caller, and one handheld per dispatcher slot.
 */
export async function createPeople(client: pg.Client, plan: SeedPlan, areas: string[], passwordHash: string): Promise<SeededPeople> {
  const existing = await client.query<{ id: number; area: string }>(
    `select id::int, area from users where role = 'dispatcher' and deactivated_at is null and (email is null or email not like $1) order by id`, [`%@${SEED_EMAIL_DOMAIN}`],
  );
  const specs: UserSpec[] = [];
  for (let i = 1; i <= SEED_ADMINS; i++) specs.push({ username: `seed_admin${i}`, role: 'admin', area: null });
  for (let i = 1; i <= SEED_BILLERS; i++) specs.push({ username: `seed_biller${String(i).padStart(2, '0')}`, role: 'biller', area: null });
  for (const area of areas) {
    const taken = existing.rows.filter((r) => r.area === area).length;
    for (let i = 1; i <= Math.max(0, DISPATCHER_SLOTS - taken); i++) specs.push({ username: dispatcherName(area, i), role: 'dispatcher', area });
  }
  const rows = await client.query<{ id: number; username: string; role: string; area: string | null }>(
    `insert into users (username, email, password_hash, role, area)
     select u, lower(u) || '@${SEED_EMAIL_DOMAIN}', $4, r::user_role, a from unnest($1::text[], $2::text[], $3::text[]) as v(u, r, a)
     on conflict (lower(username)) do update set password_hash = excluded.password_hash where users.email = excluded.email
     returning id::int, username, role, area`,
    [specs.map((s) => s.username), specs.map((s) => s.role), specs.map((s) => s.area), passwordHash],
  );
  if (rows.rowCount !== specs.length) throw new Error('Some seed usernames (seed_*) belong to users the seed did not create; rename them first.');
  const byArea = new Map<string, number[]>(areas.map((a) => [a, existing.rows.filter((r) => r.area === a).map((r) => r.id)]));
  const billers: number[] = [];
  for (const r of rows.rows) {
    if (r.role === 'dispatcher' && r.area) byArea.get(r.area)!.push(r.id);
    if (r.role === 'biller') billers.push(r.id);
  }

  const rnd = createRandom(plan.seed ^ 0xde71ce);
  const deviceIds = new Map(areas.flatMap((a) => Array.from({ length: DISPATCHER_SLOTS }, (_, s) => [`${a}|${s}`, rnd.uuid()] as const)));
  const actors: Actors = {
    dispatcherId: (area, slot) => {
      const ids = byArea.get(area)!;
      return ids[slot % ids.length]!;
    },
    deviceOf: (area, slot) => deviceIds.get(`${area}|${slot}`)!,
    billerId: (i) => billers[i % billers.length]!,
  };

  // What each handheld's synced events (rows.eventLines) add up to: seqs, pushes, refusals.
  const usage = new Map<string, { seq: number; pushes: number; rejected: number; last: number }>();
  for (const p of plan.parents) {
    if (p.isOnline) continue;
    const key = `${p.area}|${p.slot}`;
    const u = usage.get(key) ?? { seq: 0, pushes: 0, rejected: 0, last: 0 };
    u.seq += eventsOf(p);
    u.pushes += 1;
    if (p.hasRefusal) u.rejected += 1;
    u.last = p.createdAt;
    usage.set(key, u);
  }
  const devices = [...deviceIds].map(([key, id]) => {
    const [area, slot] = key.split('|') as [string, string];
    const u = usage.get(key) ?? { seq: 0, pushes: 0, rejected: 0, last: plan.until };
    return { id, user: actors.dispatcherId(area, Number(slot)), label: `Handheld ${area} ${Number(slot) + 1}`, ...u };
  });
  await client.query(
    `insert into devices (id, user_id, label, last_seq, push_count, rejected_count, created_at, last_seen_at, last_push_at)
     select id, u, l, s, p, r, to_timestamp($8::float8 / 1000), to_timestamp(t / 1000), to_timestamp(t / 1000)
     from unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::float8[]) as v(id, u, l, s, p, r, t)
     on conflict (id) do update set user_id = excluded.user_id, last_seq = excluded.last_seq, rejected_count = excluded.rejected_count`,
    [devices.map((d) => d.id), devices.map((d) => d.user), devices.map((d) => d.label), devices.map((d) => d.seq), devices.map((d) => d.pushes),
      devices.map((d) => d.rejected), devices.map((d) => d.last), plan.until - 121 * 86_400_000],
  );
  return { actors, users: specs, devices: devices.length };
}
