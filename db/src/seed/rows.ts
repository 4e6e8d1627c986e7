import { parentStatus } from '@tracetrack/shared';
import { createRandom } from './random';
import { CHILD_SCAN_MS, childCode, type PlannedParent, type SeedPlan } from './plan';

/** Who did what, resolved once the users and devices exist. */
export interface Actors {
  dispatcherId(area: string, slot: number): number;
  deviceOf(area: string, slot: number): string;
  billerId(index: number): number;
}

// COPY text format: \N is null; backslash, tab, newline and CR must be escaped.
const NEEDS_ESCAPE = /[\\\t\n\r]/;
export function copyText(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v !== 'string') return String(v);
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}
const line = (values: Array<string | number | boolean | null>) => `${values.map(copyText).join('\t')}\n`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Groups lines into ~256 KB strings so COPY gets few, large writes. */
export function* chunked(lines: Iterable<string>): Generator<string> {
  let buf = '';
  for (const l of lines) {
    buf += l;
    if (buf.length > 262_144) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** When each scan of a parent happened: registration, then unlinked children (link, unlink), then its children. */
const linkTimeOf = (p: PlannedParent, j: number) => p.createdAt + (2 * p.unlinked + j + 1) * CHILD_SCAN_MS;
const lastTouchOf = (p: PlannedParent) => p.createdAt + (2 * p.unlinked + p.children) * CHILD_SCAN_MS;
export const eventsOf = (p: PlannedParent) => 1 + 2 * p.unlinked + p.children + (p.hasRefusal ? 1 : 0);

export const BAG_COLUMNS = '(code, type, format, capacity, child_count, area, created_by, created_at, updated_at)';
export function* bagLines(plan: SeedPlan, actors: Actors): Generator<string> {
  for (const p of plan.parents) {
    const by = actors.dispatcherId(p.area, p.slot);
    yield line([p.code, 'parent', p.format, p.capacity, p.children, p.area, by, iso(p.createdAt), iso(lastTouchOf(p))]);
    for (let u = 0; u < p.unlinked; u++) {
      const linkedAt = p.createdAt + (2 * u + 1) * CHILD_SCAN_MS;
      yield line([childCode(p.firstChildSerial + u), 'child', null, null, 0, p.area, by, iso(linkedAt), iso(linkedAt + CHILD_SCAN_MS)]);
    }
    for (let j = 0; j < p.children; j++) {
      const at = iso(linkTimeOf(p, j));
      yield line([childCode(p.firstChildSerial + p.unlinked + j), 'child', null, null, 0, p.area, by, at, at]);
    }
  }
}

export const LINK_COLUMNS = '(child_id, parent_id, linked_by, linked_at)';
export function* linkLines(plan: SeedPlan, actors: Actors): Generator<string> {
  for (const p of plan.parents) {
    const by = actors.dispatcherId(p.area, p.slot);
    for (let j = 0; j < p.children; j++) yield line([p.id + 1 + p.unlinked + j, p.id, by, iso(linkTimeOf(p, j))]);
  }
}

export const BILL_COLUMNS =
  '(bill_number, capacity, description, destination, vehicle_number, status, parent_count, is_short, created_by, created_at, updated_at, completed_at, completed_by)';
export function* billLines(plan: SeedPlan, actors: Actors): Generator<string> {
  for (const b of plan.bills) {
    const by = actors.billerId(b.billerIndex);
    const lastAdded = b.parents.length ? addedAt(b.createdAt, b.parents.length - 1) : b.createdAt;
    yield line([
      b.billNumber, b.capacity, b.description, b.destination, b.vehicleNumber, b.status, b.parents.length, b.isShort, by,
      iso(b.createdAt), iso(b.completedAt ?? lastAdded), b.completedAt === null ? null : iso(b.completedAt), b.completedAt === null ? null : by,
    ]);
  }
}

/** A biller adds a parent about every 30 s. */
const addedAt = (billCreatedAt: number, k: number) => billCreatedAt + k * 30_000;

export const BILL_PARENT_COLUMNS = '(parent_id, bill_id, added_by, added_at)';
export function* billParentLines(plan: SeedPlan, actors: Actors): Generator<string> {
  for (const b of plan.bills) {
    const by = actors.billerId(b.billerIndex);
    for (let k = 0; k < b.parents.length; k++) yield line([b.parents[k]!, b.id, by, iso(addedAt(b.createdAt, k))]);
  }
}

export const EVENT_COLUMNS =
  '(mutation_id, device_id, seq, user_id, name, args, client_time, server_time, status, error_code, message, result, parent_id, child_id)';

/** Every scan as the server stores it: registration, links, unlinks, and a few refusals. */
export function* eventLines(plan: SeedPlan, actors: Actors, onScan: (at: number, scope: string) => void): Generator<string> {
  const rnd = createRandom(plan.seed ^ 0x5eed);
  const seqs = new Map<string, number>();
  for (const p of plan.parents) {
    const user = actors.dispatcherId(p.area, p.slot);
    const device = p.isOnline ? null : actors.deviceOf(p.area, p.slot);
    const state = (count: number) => ({ code: p.code, format: p.format, childCount: count, capacity: p.capacity, status: parentStatus(count, p.capacity), weightKg: count });
    const event = (at: number, name: string, args: object, status: string, errorCode: string | null, message: string, result: object, childId: number | null) => {
      let seq: number | null = null;
      if (device) {
        seq = (seqs.get(device) ?? 0) + 1;
        seqs.set(device, seq);
      }
      const serverTime = device ? at + rnd.int(300, 30_000) : at;
      if (status !== 'rejected') onScan(serverTime, p.area);
      return line([
        rnd.uuid(), device, seq, user, name, JSON.stringify(args), device ? iso(at) : null, iso(serverTime), status, errorCode, message,
        JSON.stringify(result), p.id, childId,
      ]);
    };
    const registered = `Registered ${p.code} (0/${p.capacity})`;
    yield event(p.createdAt, 'parent.scan', { code: p.code }, 'applied', null, registered, { outcome: 'applied', message: registered, parent: state(0) }, null);
    for (let u = 0; u < p.unlinked; u++) {
      const code = childCode(p.firstChildSerial + u);
      const at = p.createdAt + (2 * u + 1) * CHILD_SCAN_MS;
      const linked = `${code} → ${p.code} (1/${p.capacity})`;
      const removed = `${code} removed from ${p.code} (0/${p.capacity})`;
      const args = { parentCode: p.code, childCode: code };
      yield event(at, 'child.link', args, 'applied', null, linked, { outcome: 'applied', message: linked, childCode: code, parent: state(1) }, p.id + 1 + u);
      yield event(at + CHILD_SCAN_MS, 'child.unlink', { childCode: code }, 'applied', null, removed, { outcome: 'applied', message: removed, childCode: code, parent: state(0) }, p.id + 1 + u);
    }
    for (let j = 0; j < p.children; j++) {
      const code = childCode(p.firstChildSerial + p.unlinked + j);
      const message = `${code} → ${p.code} (${j + 1}/${p.capacity})`;
      yield event(linkTimeOf(p, j), 'child.link', { parentCode: p.code, childCode: code }, 'applied', null, message,
        { outcome: 'applied', message, childCode: code, parent: state(j + 1) }, p.id + 1 + p.unlinked + j);
    }
    if (p.hasRefusal) {
      const code = `R${String(p.firstChildSerial).padStart(8, '0')}`;
      const message = `${p.code} is full (${p.capacity}/${p.capacity}).`;
      yield event(lastTouchOf(p) + CHILD_SCAN_MS, 'child.link', { parentCode: p.code, childCode: code }, 'rejected', 'PARENT_FULL', message,
        { parent: state(p.capacity), childCode: code }, null);
    }
  }
}
