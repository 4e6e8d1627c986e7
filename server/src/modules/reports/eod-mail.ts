import { text } from 'node:stream/consumers';
import type { EndOfDay } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { endOfDaySheets } from '../exports/eod-sheets';
import { localDateTime } from '../exports/local-time';
import { csvStream } from '../exports/write-csv';
import { timeZoneDay } from '../counters/time-zone-day';
import { claimEodRun, finishEodRun, listEodRecipients } from './queries';
import { getEndOfDay } from './service';

const CHECK_EVERY_MS = 60_000;
const kg = (n: number) => `${n.toLocaleString('en-IN')} kg`;

export function eodMailText(report: EndOfDay, link: string | null): string {
  const t = report.totals;
  const lines = [
    `End-of-day summary for ${report.date} (${report.timeZone})`,
    '',
    `Bills created: ${t.billsCreated.toLocaleString('en-IN')}`,
    `Bills completed: ${t.billsCompleted.toLocaleString('en-IN')}`,
    `Parents: ${t.parents.toLocaleString('en-IN')}, children: ${t.children.toLocaleString('en-IN')}`,
    `Weight: actual ${kg(t.actualWeightKg)}, expected ${kg(t.expectedWeightKg)}, variance ${kg(t.varianceKg)}`,
    '',
    'By status:',
    ...report.byStatus.map((s) => `  ${s.status}: ${s.bills} bills, ${s.parents} parents, ${kg(s.actualWeightKg)} of ${kg(s.expectedWeightKg)}`),
    '',
    'By user:',
    ...(report.byUser.length ? report.byUser.map((u) => `  ${u.username}: created ${u.billsCreated}, completed ${u.billsCompleted} (${kg(u.actualWeightKg)})`) : ['  no bills']),
    '',
    `Returns (counted apart): ${report.returns.parents.toLocaleString('en-IN')} parents on ${report.returns.tickets} return tickets, ${report.returns.children.toLocaleString('en-IN')} children, ${kg(report.returns.weightKg)}`,
    '',
    'Every bill is in the attached CSV.',
  ];
  if (link) lines.push(`On screen: ${link}`);
  return lines.join('\n');
}

/**
 * Mails the day's summary once the local time reaches `sendAt`, once per day for every worker
 * and process (the eod_runs row is the claim). A failed send is retried by a later check, up to
 * three attempts; the row records the outcome for the system-health screen.
 */
export async function runEodMailCheck(deps: Pick<Deps, 'db' | 'config' | 'mailer' | 'clock' | 'logger'>): Promise<'not-yet' | 'done-already' | 'sent' | 'skipped' | 'failed'> {
  const sendAt = deps.config.eodSendAt;
  if (!sendAt || !deps.mailer.isConfigured) return 'not-yet';
  const now = deps.clock();
  const local = localDateTime(now, deps.config.timeZone)!;
  if (local.slice(11, 16) < sendAt) return 'not-yet';
  const date = timeZoneDay(now, deps.config.timeZone);
  if (!(await claimEodRun(deps.db, date))) return 'done-already';
  let bills = 0;
  let recipients: string[] = [];
  try {
    const report = await getEndOfDay(deps, { date });
    bills = report.bills.length;
    recipients = await listEodRecipients(deps.db);
    if (recipients.length === 0) {
      await finishEodRun(deps.db, date, { status: 'skipped', recipients: 0, bills, detail: 'No admin or biller has an email address.' });
      deps.logger.info('end-of-day summary not mailed: no recipients', { date });
      return 'skipped';
    }
    const link = deps.config.publicUrl ? `${deps.config.publicUrl.replace(/\/$/, '')}/reports/end-of-day?date=${date}` : null;
    await deps.mailer.send({
      to: recipients,
      subject: `TraceTrack end-of-day summary ${date}: ${report.totals.billsCompleted} bills completed`,
      text: eodMailText(report, link),
      attachments: [{ filename: `eod_${date}.csv`, content: await text(csvStream(endOfDaySheets(report))), contentType: 'text/csv' }],
    });
    await finishEodRun(deps.db, date, { status: 'sent', recipients: recipients.length, bills, detail: null });
    deps.logger.info('end-of-day summary mailed', { date, recipients: recipients.length, bills });
    return 'sent';
  } catch (e) {
    const detail = String(e instanceof Error ? e.message : e).slice(0, 500);
    deps.logger.warn('end-of-day summary failed', { date, error: detail });
    await finishEodRun(deps.db, date, { status: 'failed', recipients: recipients.length, bills, detail }).catch(() => {});
    return 'failed';
  }
}

/** Checks every minute (and once at start); nothing runs without EOD_SEND_AT and SMTP_URL. */
export function startEodMail(deps: Pick<Deps, 'db' | 'config' | 'mailer' | 'clock' | 'logger'>, everyMs = CHECK_EVERY_MS): () => void {
  if (!deps.config.eodSendAt || !deps.mailer.isConfigured) return () => {};
  const check = () => void runEodMailCheck(deps).catch((e: unknown) => deps.logger.warn('end-of-day check failed', { error: String(e) }));
  const timer = setInterval(check, everyMs);
  timer.unref();
  check();
  return () => clearInterval(timer);
}
