import {
  AppError,
  classifyCode,
  formatSpec,
  LABEL_MAX_COUNT,
  type LabelReservation,
  labelReserveInput,
  type LabelSheet,
  PARENT_FORMATS,
} from '@tracetrack/shared';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { inTransaction, isUniqueViolation, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { barcodeSvg, type Symbology } from './barcodes';
import * as q from './queries';

type ReserveInput = z.infer<typeof labelReserveInput>;

/** Parent formats are a prefix then exactly 5 digits: SB00001, M444-00001. */
const PARENT_DIGITS = 5;
const MAX_PARENT_NUMBER = 10 ** PARENT_DIGITS - 1;
const NAMED_CODES = 5;

function parentPrefix(format: string): string {
  const spec = formatSpec(format);
  if (!spec) throw new AppError('VALIDATION', `Unknown format ${format}; use ${PARENT_FORMATS.map((f) => f.format).join(' or ')}.`);
  return spec.example.slice(0, -PARENT_DIGITS);
}

const parentCode = (prefix: string, n: number) => `${prefix}${String(n).padStart(PARENT_DIGITS, '0')}`;

export function toReservation(row: q.ReservationRow): LabelReservation {
  return {
    id: row.id,
    kind: row.kind,
    format: row.format,
    firstCode: row.first_code,
    lastCode: row.last_code,
    count: row.code_count,
    createdBy: row.created_by_username,
    createdAt: row.created_at.toISOString(),
  };
}

/** The next `count` numbers of a format after every code in use and every code reserved. */
async function nextParentCodes(tx: Tx, format: string, count: number) {
  const prefix = parentPrefix(format);
  await q.lockReservations(tx, `parent:${format}`);
  const [used, reserved] = await Promise.all([
    q.highestParentNumber(tx, format, parentCode(prefix, 0), parentCode(prefix, MAX_PARENT_NUMBER), prefix.length),
    q.highestReservedNumber(tx, format),
  ]);
  const first = Math.max(used, reserved) + 1;
  const last = first + count - 1;
  if (last > MAX_PARENT_NUMBER) {
    const left = Math.max(0, MAX_PARENT_NUMBER - first + 1);
    throw new AppError('LABEL_CODES_EXHAUSTED', `Only ${left.toLocaleString('en-IN')} new ${format} codes are left after ${parentCode(prefix, first - 1)}.`, { left });
  }
  return { first, last, codes: Array.from({ length: count }, (_, i) => parentCode(prefix, first + i)) };
}

/** Child codes `prefix` + number padded to `digits`; each must be a child code by the code rules. */
async function childCodes(tx: Tx, input: Extract<ReserveInput, { kind: 'child' }>) {
  const lastNumber = input.firstNumber + input.count - 1;
  if (String(lastNumber).length > input.digits) {
    throw new AppError('VALIDATION', `${lastNumber} does not fit in ${input.digits} digits; use more digits or a lower start.`);
  }
  const codes = Array.from({ length: input.count }, (_, i) => `${input.prefix}${String(input.firstNumber + i).padStart(input.digits, '0')}`);
  const notChild = codes.find((c) => classifyCode(c).kind !== 'child');
  if (notChild) {
    throw new AppError('INVALID_CODE', `${notChild} is not a child code: child codes are 4–20 letters and digits that are not a parent code.`, { code: notChild });
  }
  await q.lockReservations(tx, 'child');
  const [bags, reserved] = await Promise.all([q.existingBagCodes(tx, codes, NAMED_CODES), q.reservedCodes(tx, codes, NAMED_CODES)]);
  if (bags.length) throw new AppError('LABEL_CODES_TAKEN', `${bags.join(', ')} ${bags.length === 1 ? 'is already a bag' : 'are already bags'}; choose another range.`, { codes: bags });
  if (reserved.length) throw new AppError('LABEL_CODES_TAKEN', `${reserved.join(', ')} ${reserved.length === 1 ? 'was' : 'were'} reserved before; choose another range.`, { codes: reserved });
  return codes;
}

/**
 * Admins reserve codes to print: the next N parent codes of a format, or a range of child codes
 * that no bag has and no reservation had. The reservation and its audit row commit together.
 */
export async function reserveLabels(deps: Pick<Deps, 'db'>, actor: Actor, meta: RequestMeta, input: ReserveInput): Promise<LabelReservation> {
  if (input.count > LABEL_MAX_COUNT) throw new AppError('VALIDATION', `Reserve at most ${LABEL_MAX_COUNT} codes at a time.`);
  try {
    return await inTransaction(deps.db, async (tx) => {
      let id: number;
      if (input.kind === 'parent') {
        const { first, last, codes } = await nextParentCodes(tx, input.format, input.count);
        id = await q.insertReservation(tx, { kind: 'parent', format: input.format, firstNumber: first, lastNumber: last, codes, createdBy: actor.id });
      } else {
        id = await q.insertReservation(tx, { kind: 'child', format: null, firstNumber: null, lastNumber: null, codes: await childCodes(tx, input), createdBy: actor.id });
      }
      const reservation = toReservation((await q.findReservation(tx, id))!);
      await insertAudit(tx, { actor, meta }, {
        action: 'label.reserve',
        entityType: 'label_reservation',
        entityId: id,
        after: { kind: reservation.kind, format: reservation.format, firstCode: reservation.firstCode, lastCode: reservation.lastCode, count: reservation.count },
      });
      return reservation;
    });
  } catch (e) {
    // Another path reserved one of these codes between the check and the insert.
    if (isUniqueViolation(e)) throw new AppError('LABEL_CODES_TAKEN', 'Some of these codes were reserved a moment ago; try again.');
    throw e;
  }
}

export async function listReservations(deps: Pick<Deps, 'db'>, input: { limit: number; cursor?: string | undefined }) {
  const beforeId = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const rows = await q.listReservations(deps.db, beforeId, input.limit);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return { items: page.map(toReservation), nextCursor: rows.length > input.limit && last ? String(last.id) : null };
}

function decodeCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw new AppError('VALIDATION', 'The page cursor is invalid; start from the first page.');
  return Number(cursor);
}

/** A reservation's codes with their barcodes, in order: what the label sheet prints (and reprints). */
export async function getLabelSheet(deps: Pick<Deps, 'db'>, input: { id: number; symbology: Symbology }): Promise<LabelSheet> {
  const row = await q.findReservation(deps.db, input.id);
  if (!row) throw new AppError('RESERVATION_NOT_FOUND', `There is no label reservation ${input.id}.`);
  const codes = await q.codesOfReservation(deps.db, input.id);
  return { reservation: toReservation(row), labels: codes.map((code) => ({ code, svg: barcodeSvg(code, input.symbology) })) };
}
