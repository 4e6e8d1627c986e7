import { type BillStatus, computeBillWeights, type EndOfDay, type EndOfDayInput, type FormatTally } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { toBillSummary, talliesByBill } from '../bills/mappers';
import { listBillsCreatedOrCompletedBetween, tallyBills } from '../bills/queries';
import { dayBounds, findEodRun } from './queries';
import { listReturnEventsBetween } from '../returns/queries';
import { toBillReturnEvent } from '../returns/mappers';

const STATUSES: readonly BillStatus[] = ['open', 'loading', 'completed'];
/** Tallies are read for this many bills per query. */
const TALLY_CHUNK = 1000;

type Weights = Pick<EndOfDay['totals'], 'parents' | 'children' | 'actualWeightKg' | 'expectedWeightKg' | 'varianceKg'>;

/** Sums bills' weights as one tally, so every total comes from the one bill formula. */
function weightsOf(tallies: readonly FormatTally[]): Weights {
  const w = computeBillWeights(tallies);
  return { parents: w.parentCount, children: w.childCount, actualWeightKg: w.actualWeightKg, expectedWeightKg: w.expectedWeightKg, varianceKg: w.varianceKg };
}

/**
 * The end-of-day summary for a calendar day in the warehouses' time zone: the bills created or
 * completed that day (each once), totals, the same by status (as they stand now) and by user
 * (bills each created and completed that day; weights of the bills they completed). Weights are
 * the bills' weights now, from the same formula as the bill screen.
 */
export async function getEndOfDay(deps: Pick<Deps, 'db' | 'config' | 'mailer'>, input: EndOfDayInput): Promise<EndOfDay> {
  const { start, end } = await dayBounds(deps.db, input.date, deps.config.timeZone);
  const rows = await listBillsCreatedOrCompletedBetween(deps.db, start, end);
  const tallies = new Map<number, FormatTally[]>();
  for (let i = 0; i < rows.length; i += TALLY_CHUNK) {
    for (const [id, t] of talliesByBill(await tallyBills(deps.db, rows.slice(i, i + TALLY_CHUNK).map((r) => r.id)))) tallies.set(id, t);
  }
  const talliesOf = (id: number) => tallies.get(id) ?? [];

  const bills = rows.map((r) => ({
    ...toBillSummary(r, talliesOf(r.id)),
    completedBy: r.completed_by_username,
    isCreatedThatDay: r.is_created_in_range,
    isCompletedThatDay: r.is_completed_in_range,
  }));

  const byStatus = STATUSES.map((status) => {
    const ofStatus = rows.filter((r) => r.status === status);
    return { status, bills: ofStatus.length, ...weightsOf(ofStatus.flatMap((r) => talliesOf(r.id))) };
  });

  const users = new Map<string, { created: number; completed: number; tallies: FormatTally[] }>();
  const userOf = (name: string) => {
    let u = users.get(name);
    if (!u) users.set(name, (u = { created: 0, completed: 0, tallies: [] }));
    return u;
  };
  for (const r of rows) {
    if (r.is_created_in_range) userOf(r.created_by_username ?? '(deleted user)').created += 1;
    if (r.is_completed_in_range) {
      const u = userOf(r.completed_by_username ?? '(deleted user)');
      u.completed += 1;
      u.tallies.push(...talliesOf(r.id));
    }
  }
  const byUser = [...users.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([username, u]) => ({ username, billsCreated: u.created, billsCompleted: u.completed, ...weightsOf(u.tallies) }));

  const returned = (await listReturnEventsBetween(deps.db, start, end)).map((r) => ({ ...toBillReturnEvent(r), billNumber: r.bill_number }));
  const returns = {
    parents: returned.length,
    children: returned.reduce((n, r) => n + (r.childrenBefore - r.childrenAfter), 0),
    weightKg: returned.reduce((n, r) => n + (r.weightBeforeKg - r.weightAfterKg), 0),
    tickets: new Set(returned.map((r) => r.ticketId)).size,
    items: returned,
  };

  const run = await findEodRun(deps.db, input.date);
  return {
    date: input.date,
    timeZone: deps.config.timeZone,
    totals: {
      billsCreated: rows.filter((r) => r.is_created_in_range).length,
      billsCompleted: rows.filter((r) => r.is_completed_in_range).length,
      bills: rows.length,
      ...weightsOf(rows.flatMap((r) => talliesOf(r.id))),
    },
    byStatus,
    byUser,
    bills,
    returns,
    mail: {
      isConfigured: deps.mailer.isConfigured,
      sendAt: deps.config.eodSendAt,
      run: run
        ? {
            status: run.status,
            attempts: run.attempts,
            recipients: run.recipients,
            detail: run.detail,
            startedAt: run.started_at.toISOString(),
            finishedAt: run.finished_at ? run.finished_at.toISOString() : null,
          }
        : null,
    },
  };
}
