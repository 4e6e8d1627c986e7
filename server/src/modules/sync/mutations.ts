import {
  AppError,
  clientTimeSchema,
  isStorableText,
  MAX_MUTATION_ARGS_BYTES,
  MUTATION_ARGS,
  type Mutation,
  MUTATION_PROCEDURES,
  type MutationName,
  refusalOf,
  toStorableText,
} from '@tracetrack/shared';
import type { Actor } from '../actor';
import { billScanWork } from '../bills/scan-work';
import * as bills from '../bills/service';
import type { ScanWork } from '../scans/service';

/**
 * A queued mutation as it is applied, stored and compared on replay: the parsed (normalised)
 * args and time, never the raw input. An invalid one keeps what can be stored of it (its name
 * with broken characters replaced, its raw args when they are small, storable JSON, else null),
 * so its refusal is stored like any other and its replay finds it.
 */
export type ReadMutation =
  | { isValid: true; name: MutationName; args: unknown; clientTime: string }
  | { isValid: false; name: string; args: unknown; clientTime: string | null; error: AppError };

/** The args as JSON, or null when they cannot be serialised (nested deeper than the stack). */
function jsonOf(value: unknown): string | null {
  try {
    return JSON.stringify(value ?? null);
  } catch {
    return null;
  }
}

function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => isStorableText(k) && isStorableJson(v));
  return true;
}

export function readMutation(m: Mutation): ReadMutation {
  const name = toStorableText(m.name);
  const time = clientTimeSchema.safeParse(m.clientTime);
  const clientTime = time.success ? time.data : null;
  const json = jsonOf(m.args);
  const isSmall = json !== null && Buffer.byteLength(json) <= MAX_MUTATION_ARGS_BYTES;
  const invalid = (message: string): ReadMutation => ({
    isValid: false, name, clientTime, error: new AppError('VALIDATION', message),
    args: isSmall && isStorableJson(m.args) ? (m.args ?? null) : null,
  });

  // Own keys only: a name such as `constructor` or `__proto__` is an unknown mutation, not a crash.
  const schema = Object.hasOwn(MUTATION_ARGS, m.name) ? MUTATION_ARGS[m.name as MutationName] : undefined;
  if (!schema) return invalid(`Unknown mutation "${name}".`);
  if (!isSmall) return invalid(`Invalid ${name}: args must be at most ${MAX_MUTATION_ARGS_BYTES} bytes of JSON.`);
  const args = schema.safeParse(m.args);
  const issues = [
    ...(args.success ? [] : args.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`)),
    ...(time.success ? [] : [`clientTime: ${time.error.issues[0]?.message ?? 'invalid'}`]),
  ];
  if (!args.success || !time.success) return invalid(`Invalid ${name}: ${issues.join('; ')}`);
  return { isValid: true, name: m.name as MutationName, args: args.data, clientTime: time.data };
}

/**
 * Picks the work for one read mutation: bag scans go to the set-based bag batch, bill mutations
 * to the same service functions the bill procedures call. Anything wrong with the mutation
 * itself is a refusal of that mutation alone.
 */
export function toScanWork(actor: Actor, read: ReadMutation): ScanWork {
  if (!read.isValid) return { kind: 'refused', error: read.error };
  const mutation = read.name;
  // The row of the procedure the mutation stands for: the same gate and message as online.
  const refusal = refusalOf(MUTATION_PROCEDURES[mutation], actor);
  if (refusal) return { kind: 'refused', error: refusal };
  switch (mutation) {
    case 'parent.scan':
    case 'child.link':
    case 'child.unlink':
      return { kind: 'bag', command: { name: mutation, args: read.args } as never };
    case 'bill.create':
      return billScanWork(actor, bills.createBill, read.args as never);
    case 'bill.addParent':
      return billScanWork(actor, bills.addParentToBill, read.args as never);
    case 'bill.removeParent':
      return billScanWork(actor, bills.removeParentFromBill, read.args as never);
    case 'bill.complete':
      return billScanWork(actor, bills.completeBill, read.args as never);
  }
}
