import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Mutation } from '@tracetrack/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyToModel, emptyModel, modelBilledParents, modelLinks, type ModelOutcome, modelReturns } from '../helpers/bag-model';
import { createUser } from '../factories/users';
import { countersAndRecount } from '../helpers/recount';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
let devices: { actor: Actor; deviceId: string }[];
// The server's clock, moved forward between pushes so dispatchers' unlink window comes into play.
let serverNow = Date.now();
beforeAll(async () => {
  t = await createTestApp({ clock: () => new Date(serverNow) });
  devices = [];
  // Two dispatchers of different areas and an admin: parents of three areas (none, hisar, indore)
  // meet the area rule.
  for (const [role, area] of [['dispatcher', 'hisar'], ['dispatcher', 'indore'], ['admin', null]] as const) {
    const actor = await createUser(t.deps.db, { role, area });
    const deviceId = randomUUID();
    await t.as(actor).device.register({ deviceId });
    devices.push({ actor, deviceId });
  }
});
afterAll(() => t.close());

/**
 * A small code space so that conflicts, full parents and wrong types happen often. `at` is when the
 * device captured the scan, in minutes from the run's start: before or after the server's time.
 */
const atArb = fc.integer({ min: -30, max: 600 });
const opArb = fc.oneof(
  { weight: 2, arbitrary: fc.record({ name: fc.constant('parent.scan'), p: fc.integer({ min: 0, max: 3 }), at: atArb }) },
  { weight: 8, arbitrary: fc.record({ name: fc.constant('child.link'), p: fc.integer({ min: 0, max: 4 }), c: fc.integer({ min: 0, max: 24 }), at: atArb }) },
  { weight: 2, arbitrary: fc.record({ name: fc.constant('child.unlink'), c: fc.integer({ min: 0, max: 24 }), at: atArb }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('child.link'), p: fc.integer({ min: 0, max: 3 }), c: fc.constant(-1), at: atArb }) },
  // Bills and returns (billers and admins; the dispatchers' are refused): two bills, two tickets.
  { weight: 1, arbitrary: fc.record({ name: fc.constant('bill.create'), b: fc.integer({ min: 0, max: 1 }), at: atArb }) },
  { weight: 2, arbitrary: fc.record({ name: fc.constant('bill.addParent'), b: fc.integer({ min: 0, max: 1 }), p: fc.integer({ min: 0, max: 4 }), at: atArb }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('bill.complete'), b: fc.integer({ min: 0, max: 1 }), at: atArb }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('return.create'), k: fc.integer({ min: 0, max: 1 }), at: atArb }) },
  { weight: 2, arbitrary: fc.record({ name: fc.constant('return.scan'), k: fc.integer({ min: 0, max: 1 }), p: fc.integer({ min: 0, max: 4 }), at: atArb }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('return.finalize', 'return.cancel'), k: fc.integer({ min: 0, max: 1 }), at: atArb }) },
);

type Op = { name: string; p?: number; c?: number; b?: number; k?: number; at: number };

/** The admin's desk: mostly bills and returns over the parents it registers (0–2), some scans. */
const deskOpArb = fc.oneof(
  { weight: 2, arbitrary: opArb },
  { weight: 3, arbitrary: fc.record({ name: fc.constant('bill.addParent'), b: fc.integer({ min: 0, max: 1 }), p: fc.integer({ min: 0, max: 3 }), at: atArb }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('bill.complete'), b: fc.integer({ min: 0, max: 1 }), at: atArb }) },
  { weight: 3, arbitrary: fc.record({ name: fc.constant('return.scan'), k: fc.integer({ min: 0, max: 1 }), p: fc.integer({ min: 0, max: 3 }), at: atArb }) },
);

const scheduleArb = fc.record({
  queues: fc.tuple(
    fc.array(opArb, { minLength: 1, maxLength: 30 }),
    fc.array(opArb, { minLength: 1, maxLength: 30 }),
    fc.array(deskOpArb, { minLength: 1, maxLength: 30 }),
  ),
  // Each push: which device, how many new mutations, whether to resend old ones, a shuffle seed,
  // and how many minutes the server's clock moves on before it.
  pushes: fc.array(
    fc.record({ device: fc.integer({ min: 0, max: 2 }), take: fc.integer({ min: 1, max: 12 }), resend: fc.integer({ min: 0, max: 4 }), shuffle: fc.integer(), advance: fc.integer({ min: 0, max: 50 }) }),
    { minLength: 1, maxLength: 25 },
  ),
});

describe('sync against the pure model', () => {
  it('ends in the model state for random schedules with duplicates, replays and reorderings', async () => {
    let areaRefusals = 0;
    let returnsSeen = 0;
    await fc.assert(
      fc.asyncProperty(scheduleArb, async ({ queues, pushes }) => {
        // Each run starts from empty bag tables (users and devices stay).
        await sql`truncate bill_return_events, return_ticket_bags, return_tickets, links, bill_parents, bills, bags, scan_events, audit_log, counters, daily_counters, device_seq_gaps restart identity`.execute(t.deps.db);
        await sql`update devices set last_seq = 0`.execute(t.deps.db);
        const tag = '70';
        const bills = ['PB-70-0', 'PB-70-1'];
        const tickets = [randomUUID(), randomUUID()];
        const argsOf = (op: Op): Record<string, unknown> => {
          switch (op.name) {
            case 'parent.scan': return { code: parents[op.p!]! };
            case 'child.link': return { parentCode: parents[op.p!]!, childCode: childCode(op.c!) };
            case 'child.unlink': return { childCode: childCode(op.c!) };
            case 'bill.create': return { billNumber: bills[op.b!]!, capacity: 3 };
            case 'bill.addParent': return { billNumber: bills[op.b!]!, parentCode: parents[op.p!]! };
            case 'bill.complete': return { billNumber: bills[op.b!]!, allowShort: true };
            case 'return.create': return { ticketId: tickets[op.k!]!, area: 'hisar' };
            case 'return.scan': return { ticketId: tickets[op.k!]!, code: parents[op.p!]! };
            default: return { ticketId: tickets[op.k!]! };
          }
        };
        // M444 parents hold 15, SB 30; index 3 is a code that is a child, 4 is never registered.
        const parents = [`M444-${tag}001`, `M444-${tag}002`, `SB${tag}003`, `R${tag}C0`, `SB${tag}999`];
        const childCode = (c: number) => (c < 0 ? `M444-${tag}001` : `R${tag}C${c}`);
        const start = serverNow;
        // The admin's desk (device 2) starts with its parents, both bills and both tickets, so its
        // random bill and return scans meet billed parents and open tickets often.
        const prelude: Op[] = [
          ...[0, 1, 2].map((p) => ({ name: 'parent.scan', p, at: 0 })),
          ...[0, 1].map((b) => ({ name: 'bill.create', b, at: 0 })),
          ...[0, 1].map((k) => ({ name: 'return.create', k, at: 0 })),
        ];
        const mutations: Mutation[][] = queues.map((ops, d) =>
          (d === 2 ? [...prelude, ...ops] : ops).map((op, i) => ({
            id: randomUUID(),
            seq: i + 1,
            name: op.name,
            args: argsOf(op as Op),
            clientTime: new Date(start + op.at * 60_000).toISOString(),
          })),
        );

        const model = emptyModel();
        const expected = new Map<string, ModelOutcome>();
        const sent = mutations.map(() => 0);

        for (const push of pushes) {
          serverNow += push.advance * 60_000;
          const queue = mutations[push.device]!;
          const from = sent[push.device]!;
          const fresh = queue.slice(from, from + push.take);
          const old = queue.slice(Math.max(0, from - push.resend), from);
          if (fresh.length + old.length === 0) continue;
          sent[push.device] = from + fresh.length;
          const batch = fc.sample(fc.shuffledSubarray([...old, ...fresh], { minLength: old.length + fresh.length }), { seed: push.shuffle, numRuns: 1 })[0]!;
          const { actor, deviceId } = devices[push.device]!;
          const res = await t.as(actor).sync.push({ deviceId, mutations: batch });

          // The server applies a batch in seq order; replays change nothing.
          for (const m of [...batch].sort((a, b) => a.seq - b.seq)) {
            if (expected.has(m.id)) continue;
            expected.set(m.id, applyToModel(model, actor, m.name, m.args as Record<string, unknown>, serverNow, Date.parse(m.clientTime)));
          }
          for (const r of res.results) {
            const want = expected.get(r.id)!;
            if (want.status === 'rejected' && want.code === 'PARENT_IN_OTHER_AREA') areaRefusals += 1;
            expect({ status: r.status, code: r.code }).toEqual(want.status === 'rejected' ? { status: 'rejected', code: want.code } : { status: want.status, code: undefined });
          }
        }

        const links = await sql<{ link: string }>`
          select c.code || '>' || p.code as link from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id
          order by 1`.execute(t.deps.db);
        expect(links.rows.map((r) => r.link).sort()).toEqual(modelLinks(model));
        const billed = await sql<{ x: string }>`
          select p.code || '@' || bl.bill_number as x from bill_parents bp join bags p on p.id = bp.parent_id join bills bl on bl.id = bp.bill_id`.execute(t.deps.db);
        expect(billed.rows.map((r) => r.x).sort()).toEqual(modelBilledParents(model));
        const returned = await sql<{ x: string }>`select parent_code || '<' || bill_number as x from return_ticket_bags`.execute(t.deps.db);
        expect(returned.rows.map((r) => r.x).sort()).toEqual(modelReturns(model));
        returnsSeen += returned.rows.length;
        const events = await sql<{ n: number }>`select count(*)::int as n from scan_events where mutation_id = any(${[...expected.keys()]}::uuid[])`.execute(t.deps.db);
        expect(events.rows[0]?.n).toBe(expected.size);
        const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
        expect(parentsWithWrongCount).toEqual([]);
        expect(counters).toEqual(recount);
      }),
      { numRuns: 30, seed: Number(process.env.FC_SEED ?? 4242) },
    );
    // The schedules did meet the area rule (a property that never reaches it proves nothing about it).
    expect(areaRefusals).toBeGreaterThan(0);
    expect(returnsSeen).toBeGreaterThan(0);
  });

  it("judges a dispatcher's unlinks synced late or early by when they were scanned, as the model does", async () => {
    // One handheld links and unlinks a few children in two parents; its scans are minutes apart,
    // and each push reaches the server some time after (or, with a fast device clock, before) the
    // last scan it carries. Links are stamped with server time; unlinks are judged by scan time.
    const dayArb = fc.record({
      ops: fc.array(fc.record({ unlink: fc.boolean(), p: fc.integer({ min: 0, max: 1 }), c: fc.integer({ min: 0, max: 5 }), gap: fc.integer({ min: 0, max: 40 }) }), { minLength: 4, maxLength: 40 }),
      pushes: fc.array(fc.record({ take: fc.integer({ min: 1, max: 8 }), delay: fc.integer({ min: -120, max: 180 }) }), { minLength: 1, maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(dayArb, async ({ ops, pushes }) => {
        await sql`truncate bill_return_events, return_ticket_bags, return_tickets, links, bill_parents, bills, bags, scan_events, audit_log, counters, daily_counters, device_seq_gaps restart identity`.execute(t.deps.db);
        await sql`update devices set last_seq = 0`.execute(t.deps.db);
        const { actor, deviceId } = devices[0]!;
        const parents = ['SB71001', 'SB71002'];
        const model = emptyModel();
        for (const code of parents) {
          await t.as(actor).bag.scanParent({ code });
          applyToModel(model, actor, 'parent.scan', { code }, serverNow);
        }
        let scannedAt = serverNow;
        const mutations: Mutation[] = ops.map((op, i) => {
          scannedAt += op.gap * 60_000;
          const childCode = `R71C${op.c}`;
          return {
            id: randomUUID(), seq: i + 1, name: op.unlink ? 'child.unlink' : 'child.link',
            args: op.unlink ? { childCode } : { parentCode: parents[op.p]!, childCode }, clientTime: new Date(scannedAt).toISOString(),
          };
        });

        let sent = 0;
        for (const push of pushes) {
          const batch = mutations.slice(sent, sent + push.take);
          if (batch.length === 0) break;
          sent += batch.length;
          serverNow = Math.max(serverNow, Date.parse(batch.at(-1)!.clientTime) + push.delay * 60_000);
          const res = await t.as(actor).sync.push({ deviceId, mutations: batch });
          res.results.forEach((r, k) => {
            const m = batch[k]!;
            const want = applyToModel(model, actor, m.name, m.args as Record<string, unknown>, serverNow, Date.parse(m.clientTime));
            expect({ seq: m.seq, status: r.status, code: r.code }).toEqual({ seq: m.seq, status: want.status, code: want.status === 'rejected' ? want.code : undefined });
          });
        }
        const links = await sql<{ link: string }>`
          select c.code || '>' || p.code as link from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id`.execute(t.deps.db);
        expect(links.rows.map((r) => r.link).sort()).toEqual(modelLinks(model));
      }),
      { numRuns: 25, seed: Number(process.env.FC_SEED ?? 4242) },
    );
  });
});
