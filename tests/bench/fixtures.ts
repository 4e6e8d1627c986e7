import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type Caller, dataOf, loopbackAddress, mutate, query } from './http-client';

export interface BenchUser {
  username: string;
  role: string;
  area: string | null;
}

/** Seeded users (the seed's e-mail domain) the bench signs in as. */
export async function seededUsers(client: pg.Client): Promise<{ dispatchers: BenchUser[]; biller: BenchUser }> {
  const rows = await client.query<BenchUser>(`select username, role::text as role, area from users where email like '%@seed.tracetrack.test' order by id`);
  const dispatchers = rows.rows.filter((u) => u.role === 'dispatcher');
  const biller = rows.rows.find((u) => u.role === 'biller');
  if (!biller || dispatchers.length === 0) throw new Error('No seeded users found: seed with `npm run seed -- --bags N` first.');
  return { dispatchers, biller };
}

/**
 * Signs each user in once through auth.login, each from its own loopback address (login is
 * limited to 10 a minute per IP); the cookies are reused for the whole run.
 */
export async function signIn(base: URL, users: BenchUser[], password: string): Promise<Map<string, string>> {
  const cookies = new Map<string, string>();
  const queue = [...users.entries()];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const [i, user] = item;
      const reply = await mutate(base, { localAddress: loopbackAddress(199, i) }, 'auth.login', { username: user.username, password });
      dataOf(reply);
      const pairs = reply.setCookie.map((c) => c.split(';')[0]!);
      const session = pairs.find((c) => c.startsWith('tt_session='));
      if (!session) throw new Error(`login of ${user.username} set no session cookie`);
      // Sent back as a browser does: the session and the sign-in client cookie.
      cookies.set(user.username, [session, ...pairs.filter((c) => c.startsWith('tt_client='))].join('; '));
    }
  }));
  return cookies;
}

export interface BenchDevice {
  deviceId: string;
  username: string;
  area: string | null;
  cookie: string;
  nextSeq: number;
}

/** Registers `count` new handhelds, spread over the dispatchers. */
export async function registerDevices(base: URL, dispatchers: BenchUser[], cookies: Map<string, string>, count: number): Promise<BenchDevice[]> {
  const devices = Array.from({ length: count }, (_, i) => {
    const user = dispatchers[i % dispatchers.length]!;
    return { deviceId: randomUUID(), username: user.username, area: user.area, cookie: cookies.get(user.username)!, nextSeq: 1 };
  });
  for (let i = 0; i < devices.length; i += 20) {
    await Promise.all(devices.slice(i, i + 20).map((d, k) =>
      mutate(base, { localAddress: loopbackAddress(198, i + k), cookie: d.cookie }, 'device.register', { deviceId: d.deviceId, label: 'bench' }).then(dataOf),
    ));
  }
  return devices;
}

/** Parent codes nobody registered yet (both formats), so every bench scan registers a new parent. */
export async function freeParentCodes(client: pg.Client): Promise<string[]> {
  const used = new Set((await client.query<{ code: string }>(`select code from bags where type = 'parent'`)).rows.map((r) => r.code));
  const free: string[] = [];
  for (let n = 99_999; n >= 1; n--) {
    for (const code of [`SB${String(n).padStart(5, '0')}`, `M444-${String(n).padStart(5, '0')}`]) if (!used.has(code)) free.push(code);
  }
  return free;
}

/** Random existing bag codes (mostly children, as on the floor). */
export async function sampleBagCodes(client: pg.Client, n: number): Promise<string[]> {
  const max = Number((await client.query<{ max: string }>('select max(id) as max from bags')).rows[0]!.max);
  const ids = Array.from({ length: n }, () => 1 + Math.floor(Math.random() * max));
  return (await client.query<{ code: string }>('select code from bags where id = any($1::bigint[])', [ids])).rows.map((r) => r.code);
}

export async function largestBill(client: pg.Client): Promise<{ billNumber: string; parents: number }> {
  const row = (await client.query<{ bill_number: string; parent_count: number }>(
    'select bill_number, parent_count from bills order by parent_count desc, id limit 1',
  )).rows[0];
  if (!row) throw new Error('no bills: seed first');
  return { billNumber: row.bill_number, parents: row.parent_count };
}

/** Walks a filtered bag list to page `page` once, so the bench can ask for that page directly. */
export async function cursorOfPage(base: URL, caller: Caller, filters: Record<string, unknown>, page: number): Promise<string | null> {
  let cursor: string | undefined;
  for (let p = 1; p < page; p++) {
    const out = dataOf<{ nextCursor: string | null }>(await query(base, caller, 'bag.list', { ...filters, ...(cursor ? { cursor } : {}) }));
    if (!out.nextCursor) return null;
    cursor = out.nextCursor;
  }
  return cursor ?? null;
}
