import { AppError, MUTATION_ARGS, type MutationName, type Role } from '@tracetrack/shared';
import type { Actor } from '../../trpc/context';
import { billScanWork } from '../bills/scan-work';
import * as bills from '../bills/service';
import type { ScanWork } from '../scans/service';

const EVERYONE: readonly Role[] = ['admin', 'biller', 'dispatcher'];

/** Who may send each mutation: the same rule the online procedure's builder applies. */
const ROLES: Record<MutationName, readonly Role[]> = {
  'parent.scan': EVERYONE,
  'child.link': EVERYONE,
  'child.unlink': EVERYONE,
  'bill.create': ['admin', 'biller'],
  'bill.addParent': ['admin', 'biller'],
  'bill.removeParent': ['admin', 'biller'],
  'bill.complete': ['admin', 'biller'],
};

/**
 * Validates one queued mutation and picks the work: bag scans go to the set-based bag batch,
 * bill mutations to the same service functions the bill procedures call. Anything wrong with the
 * mutation itself is a refusal of that mutation alone.
 */
export function toScanWork(actor: Actor, name: string, rawArgs: unknown): ScanWork {
  const schema = (MUTATION_ARGS as Record<string, (typeof MUTATION_ARGS)[MutationName] | undefined>)[name];
  if (!schema) return refused('VALIDATION', `Unknown mutation "${name.slice(0, 50)}".`);
  const parsed = schema.safeParse(rawArgs);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ');
    return refused('VALIDATION', `Invalid ${name}: ${fields}`);
  }
  const mutation = name as MutationName;
  if (!ROLES[mutation].includes(actor.role)) return refused('FORBIDDEN', `Only ${ROLES[mutation].join(' or ')} users can do ${name}.`);
  switch (mutation) {
    case 'parent.scan':
    case 'child.link':
    case 'child.unlink':
      return { kind: 'bag', command: { name: mutation, args: parsed.data } as never };
    case 'bill.create':
      return billScanWork(actor, bills.createBill, parsed.data as never);
    case 'bill.addParent':
      return billScanWork(actor, bills.addParentToBill, parsed.data as never);
    case 'bill.removeParent':
      return billScanWork(actor, bills.removeParentFromBill, parsed.data as never);
    case 'bill.complete':
      return billScanWork(actor, bills.completeBill, parsed.data as never);
  }
}

function refused(code: 'VALIDATION' | 'FORBIDDEN', message: string): ScanWork {
  return { kind: 'refused', error: new AppError(code, message) };
}
