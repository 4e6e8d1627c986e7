import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { countersAndRecount } from '../helpers/recount';
import { type Actor, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let dispatcher: Actor;
let biller: Actor;
beforeAll(async () => {
  t = await createTestApp();
  dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'hisar' });
  biller = await createUser(t.deps.db, { role: 'biller' });
  // Values the database refuses for one code each, as a bad row would: a data exception (class
  // 22) on a bag, an integrity violation (class 23) on a link and on a bill, and one in the
  // stored event itself.
  await sql`
    create function refuse_test_bag() returns trigger language plpgsql as $$
    begin
      if new.code = 'BADVALUE22' then raise exception 'test: refused value' using errcode = '22023'; end if;
      return new;
    end $$;
    create trigger refuse_test_bags before insert or update on bags for each row execute function refuse_test_bag();
    create function refuse_test_link() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from bags where id = new.child_id and code = 'BADLINK23') then
        raise exception 'test: refused link' using errcode = '23514';
      end if;
      return new;
    end $$;
    create trigger refuse_test_links before insert on links for each row execute function refuse_test_link();
    create function refuse_test_bill() returns trigger language plpgsql as $$
    begin
      if new.bill_number = 'BAD-BILL-23' then raise exception 'test: refused bill' using errcode = '23502'; end if;
      return new;
    end $$;
    create trigger refuse_test_bills before insert on bills for each row execute function refuse_test_bill();
    create function refuse_test_event() returns trigger language plpgsql as $$
    begin
      if new.args->>'code' = 'SB99971' then raise exception 'test: refused event' using errcode = '22P02'; end if;
      return new;
    end $$;
    create trigger refuse_test_events before insert on scan_events for each row execute function refuse_test_event();
  `.execute(t.deps.db);
});
afterAll(() => t.close());

async function handheld(user: Actor) {
  const app = createApp(t.deps);
  const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, user.id));
  const deviceId = randomUUID();
  expect((await http.mutate('device.register', { deviceId })).status).toBe(200);
  return { http, deviceId, queue: mutationQueue() };
}
const eventOf = (mutationId: string) =>
  t.deps.db.selectFrom('scan_events').select(['status', 'error_code']).where('mutation_id', '=', mutationId).executeTakeFirst();
async function expectCountersRight() {
  const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
  expect(parentsWithWrongCount).toEqual([]);
  expect(counters).toEqual(recount);
}

describe('sync.push with mutation names that are built-in object keys (finding 1)', () => {
  const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];

  it('refuses each such mutation alone as VALIDATION, stores it, and applies the rest', async () => {
    const { http, deviceId, queue } = await handheld(dispatcher);
    const mutations = [queue.next('parent.scan', { code: 'SB99901' })];
    for (const name of NAMES) mutations.push({ ...queue.next('parent.scan', { code: 'SB99902' }), name });
    mutations.push(queue.next('child.link', { parentCode: 'SB99901', childCode: 'PROTO1' }));
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.status).toBe(200);
    expect(res.data.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual(['applied', ...NAMES.map(() => 'VALIDATION'), 'applied']);
    expect(res.data.results[1].message).toBe('Unknown mutation "constructor".');
    expect(res.data.ackedThroughSeq).toBe(mutations.length);
    for (const m of mutations.slice(1, -1)) expect(await eventOf(m.id)).toEqual({ status: 'rejected', error_code: 'VALIDATION' });
    // A resend is answered from the stored outcomes.
    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.data.results.every((r: { replay: boolean }) => r.replay)).toBe(true);
  });

  it('answers a procedure path that is a built-in object key with 404, never a 500', async () => {
    const app = createApp(t.deps);
    const cookie = await sessionCookieFor(t.deps, dispatcher.id);
    for (const name of ['constructor', '__proto__', 'toString', 'bag.constructor', 'bag.__proto__', 'sync.hasOwnProperty']) {
      const get = await app.request(`/trpc/${name}`, { headers: { cookie } });
      const post = await app.request(`/trpc/${name}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
      expect([name, get.status, post.status]).toEqual([name, 404, 404]);
    }
  });
});

describe('a value the database refuses fails only its own mutation', () => {
  it('a data exception (class 22) on one bag: that scan is refused VALIDATION and stored, the rest of the chunk applies', async () => {
    const { http, deviceId, queue } = await handheld(dispatcher);
    const mutations = [
      queue.next('parent.scan', { code: 'SB99911' }),
      queue.next('child.link', { parentCode: 'SB99911', childCode: 'GOOD9911A' }),
      queue.next('child.link', { parentCode: 'SB99911', childCode: 'BADVALUE22' }),
      queue.next('child.link', { parentCode: 'SB99911', childCode: 'GOOD9911B' }),
      queue.next('parent.scan', { code: 'SB99912' }),
    ];
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.status).toBe(200);
    expect(res.data.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual(['applied', 'applied', 'VALIDATION', 'applied', 'applied']);
    expect(res.data.results[2].message).toBe('The server cannot store a value in this scan, so it was not applied. Check the codes and scan again.');
    expect(res.data.ackedThroughSeq).toBe(5);
    expect(await eventOf(mutations[2]!.id)).toEqual({ status: 'rejected', error_code: 'VALIDATION' });
    const parent = await t.as(dispatcher).bag.get({ code: 'SB99911' });
    expect(parent.children.map((c) => c.code).sort()).toEqual(['GOOD9911A', 'GOOD9911B']);
    expect(parent.bag.childCount).toBe(2);
    await expectCountersRight();
    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.data.results.map((r: { replay: boolean; code?: string; status: string }) => [r.replay, r.code ?? r.status])).toEqual([
      [true, 'applied'], [true, 'applied'], [true, 'VALIDATION'], [true, 'applied'], [true, 'applied'],
    ]);
  });

  it('integrity violations (class 23) on a link and on a bill are refused alone too, bag scans and bill writes mixed', async () => {
    const { http, deviceId, queue } = await handheld(biller);
    const mutations = [
      queue.next('parent.scan', { code: 'SB99921' }),
      queue.next('child.link', { parentCode: 'SB99921', childCode: 'BADLINK23' }),
      queue.next('bill.create', { billNumber: 'BAD-BILL-23', capacity: 2 }),
      queue.next('bill.create', { billNumber: 'GOOD-BILL-1', capacity: 2 }),
      queue.next('bill.addParent', { billNumber: 'GOOD-BILL-1', parentCode: 'SB99921' }),
      queue.next('child.link', { parentCode: 'SB99921', childCode: 'GOOD9921A' }),
    ];
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.status).toBe(200);
    expect(res.data.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual(['applied', 'VALIDATION', 'VALIDATION', 'applied', 'applied', 'applied']);
    expect(await t.deps.db.selectFrom('bags').select('code').where('code', '=', 'BADLINK23').executeTakeFirst()).toBeUndefined();
    expect((await t.as(biller).bill.get({ billNumber: 'GOOD-BILL-1' })).parents.map((p) => p.code)).toEqual(['SB99921']);
    expect(await t.deps.db.selectFrom('bills').select('id').where('bill_number', '=', 'BAD-BILL-23').executeTakeFirst()).toBeUndefined();
    await expectCountersRight();
  });

  it('a value refused in the stored event itself: that scan is refused unstored (a resend is judged again), the others apply', async () => {
    const { http, deviceId, queue } = await handheld(dispatcher);
    const mutations = [queue.next('parent.scan', { code: 'SB99971' }), queue.next('parent.scan', { code: 'SB99972' })];
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.status).toBe(200);
    expect(res.data.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual(['VALIDATION', 'applied']);
    expect(await eventOf(mutations[0]!.id)).toBeUndefined();
    expect(await t.deps.db.selectFrom('bags').select('code').where('code', '=', 'SB99971').executeTakeFirst()).toBeUndefined();
    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.data.results.map((r: { replay: boolean; code?: string; status: string }) => [r.replay, r.code ?? r.status])).toEqual([[false, 'VALIDATION'], [true, 'applied']]);
    await expectCountersRight();
  });

  it('online, the scan is refused VALIDATION (400) and its refusal stored like any other', async () => {
    const refused = await refusal(t.as(dispatcher).bag.scanParent({ code: 'SB99981' }).then(() => t.as(dispatcher).bag.linkChild({ parentCode: 'SB99981', childCode: 'BADVALUE22' })));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
    const events = await sql<{ status: string; error_code: string | null }>`
      select status, error_code from scan_events where name = 'child.link' and args->>'childCode' = 'BADVALUE22' and device_id is null`.execute(t.deps.db);
    expect(events.rows).toEqual([{ status: 'rejected', error_code: 'VALIDATION' }]);
  });
});
