import { PARENT_FORMATS, type ParentFormat } from '@tracetrack/shared';
import { createRandom, type Random } from './random';

/** Dispatchers per area the seed attributes scans to (the domain allows at most 10 per area). */
export const DISPATCHER_SLOTS = 10;
const DAY_MS = 86_400_000;
/** The data covers this many days before `until`. */
const SPAN_DAYS = 120;
/** A dispatcher scans a child about every 25 s. */
export const CHILD_SCAN_MS = 25_000;
const UNLINKED_SHARE = 0.03;
const SB_SHARE = 0.68;
/** Parents registered in the last 3% of the load are still filling (what a handheld syncs). */
const RECENT_SHARE = 0.03;
const ONLINE_SHARE = 0.2;

export interface PlannedParent {
  id: number;
  code: string;
  format: ParentFormat;
  capacity: number;
  area: string;
  /** Children linked now; `unlinked` more were linked once and unlinked (they follow it in id order). */
  children: number;
  unlinked: number;
  /** Child codes are numbered globally; this parent's first (unlinked ones first). */
  firstChildSerial: number;
  createdAt: number;
  /** Index into the area's dispatchers. */
  slot: number;
  isOnline: boolean;
  /** A refused scan into it once it was full (history shows refusals too). */
  hasRefusal: boolean;
  billIndex: number | null;
}

export interface PlannedBill {
  id: number;
  billNumber: string;
  capacity: number;
  status: 'open' | 'loading' | 'completed';
  parents: number[];
  isShort: boolean;
  createdAt: number;
  completedAt: number | null;
  billerIndex: number;
  description: string | null;
  destination: string;
  vehicleNumber: string;
}

export interface SeedPlan {
  seed: number;
  until: number;
  parents: PlannedParent[];
  bills: PlannedBill[];
  totalBags: number;
}

export const SEED_BILLERS = 8;
const DESTINATIONS = ['Delhi', 'Mumbai', 'Kolkata', 'Chennai', 'Ahmedabad', 'Hyderabad', 'Pune', 'Nagpur', 'Kanpur', 'Patna'];
const STATE_CODES = ['RJ', 'MP', 'UP', 'HR', 'PB', 'CG', 'JH', 'MH'];

export function childCode(serial: number): string {
  return String(serial).padStart(7, '0');
}

export function parentCode(format: ParentFormat, n: number): string {
  return format === 'SB' ? `SB${String(n).padStart(5, '0')}` : `M444-${String(n).padStart(5, '0')}`;
}

/**
 * Decides every bag, link and bill of the dataset (no rows yet): ids follow load order, so the
 * row streams can be regenerated from the plan table by table without holding them in memory.
 */
export function planDataset(opts: { bags: number; seed: number; until: number; areas: string[] }): SeedPlan {
  const rnd = createRandom(opts.seed);
  const areaWeights = opts.areas.map(() => 0.5 + rnd.next());
  const weightSum = areaWeights.reduce((a, b) => a + b, 0);
  const pickArea = () => {
    let x = rnd.next() * weightSum;
    for (let i = 0; i < opts.areas.length; i++) {
      x -= areaWeights[i]!;
      if (x < 0) return opts.areas[i]!;
    }
    return opts.areas.at(-1)!;
  };

  const parents: PlannedParent[] = [];
  const used: Record<ParentFormat, number> = { SB: 0, M444: 0 };
  let id = 1;
  let childSerial = 1;
  while (id <= opts.bags) {
    let format: ParentFormat = rnd.chance(SB_SHARE) ? 'SB' : 'M444';
    if (used[format] >= 99_999) format = format === 'SB' ? 'M444' : 'SB';
    if (used[format] >= 99_999) throw new Error(`${opts.bags} bags need more parent codes than the SB and M444 formats have (99,999 each).`);
    used[format] += 1;
    const capacity = PARENT_FORMATS.find((f) => f.format === format)!.maxChildren;
    const isRecent = id > opts.bags * (1 - RECENT_SHARE);
    let children = isRecent || rnd.chance(0.02) ? rnd.int(0, capacity - 1) : capacity;
    let unlinked = Math.floor(children * (UNLINKED_SHARE / (1 - UNLINKED_SHARE)) + rnd.next());
    const room = opts.bags - id;
    children = Math.min(children, room);
    unlinked = Math.min(unlinked, room - children);
    parents.push({
      id, code: parentCode(format, used[format]), format, capacity, area: pickArea(), children, unlinked,
      firstChildSerial: childSerial, createdAt: 0, slot: rnd.int(0, DISPATCHER_SLOTS - 1), isOnline: rnd.chance(ONLINE_SHARE),
      hasRefusal: children === capacity && rnd.chance(0.02), billIndex: null,
    });
    id += 1 + children + unlinked;
    childSerial += children + unlinked;
  }
  const start = opts.until - SPAN_DAYS * DAY_MS;
  const spacing = (SPAN_DAYS * DAY_MS - 3_600_000) / Math.max(1, parents.length);
  parents.forEach((p, k) => (p.createdAt = Math.floor(start + k * spacing + rnd.next() * spacing * 0.5)));

  return { seed: opts.seed, until: opts.until, parents, bills: planBills(rnd, parents), totalBags: id - 1 };
}

function billCapacity(rnd: Random): number {
  const x = rnd.next();
  if (x < 0.05) return 500;
  if (x < 0.15) return rnd.int(1, 10);
  if (x < 0.75) return rnd.int(11, 200);
  return rnd.int(201, 499);
}

/**
 * Older full parents go on bills in time order: most bills completed (some short), the newest
 * loading, a few open ones with no parents yet. The first bill is a full 500-parent load.
 */
function planBills(rnd: Random, parents: PlannedParent[]): PlannedBill[] {
  const cutoff = Math.floor(parents.length * 0.75);
  const candidates = parents.slice(0, cutoff).filter((p) => p.children === p.capacity);
  const bills: PlannedBill[] = [];
  const loadingFrom = Math.min(Math.floor(candidates.length * 0.93), candidates.length - 1);
  let i = 0;
  while (i < candidates.length) {
    const isLoading = i >= loadingFrom;
    const capacity = bills.length === 0 ? 500 : billCapacity(rnd);
    let target = capacity;
    if (isLoading) target = rnd.int(1, Math.max(1, capacity - 1));
    else if (bills.length > 0 && capacity > 1 && rnd.chance(0.12)) target = rnd.int(1, capacity - 1);
    // A bill never straddles the completed/loading boundary, so both statuses exist on any size.
    const members = candidates.slice(i, Math.min(i + target, isLoading ? candidates.length : loadingFrom));
    i += members.length;
    const status = isLoading ? 'loading' : 'completed';
    for (const m of members) m.billIndex = bills.length;
    const lastParent = members.at(-1)!;
    const createdAt = members[0]!.createdAt + 3_600_000;
    const doneAt = lastParent.createdAt + lastParent.capacity * CHILD_SCAN_MS + 7_200_000;
    bills.push(newBill(rnd, bills.length, capacity, status, members, createdAt, status === 'completed' ? doneAt : null));
  }
  const until = parents.at(-1)?.createdAt ?? 0;
  const openCount = Math.max(1, Math.round(bills.length * 0.05));
  for (let k = 0; k < openCount; k++) bills.push(newBill(rnd, bills.length, billCapacity(rnd), 'open', [], until - (openCount - k) * 600_000, null));
  return bills;
}

function newBill(
  rnd: Random, index: number, capacity: number, status: PlannedBill['status'], members: PlannedParent[], createdAt: number, completedAt: number | null,
): PlannedBill {
  const vehicle = `${rnd.pick(STATE_CODES)}${String(rnd.int(1, 40)).padStart(2, '0')}${String.fromCharCode(65 + rnd.int(0, 25), 65 + rnd.int(0, 25))}${rnd.int(1000, 9999)}`;
  return {
    id: index + 1,
    billNumber: `BL-${String(index + 1).padStart(6, '0')}`,
    capacity,
    status,
    parents: members.map((p) => p.id),
    isShort: status === 'completed' && members.length < capacity,
    createdAt,
    completedAt,
    billerIndex: rnd.int(0, SEED_BILLERS - 1),
    description: rnd.chance(0.3) ? `Lot ${rnd.int(100, 999)}` : null,
    destination: rnd.pick(DESTINATIONS),
    vehicleNumber: vehicle,
  };
}

