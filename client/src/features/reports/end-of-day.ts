import type { EndOfDay } from '@tracetrack/shared';
import { api, describeFailure } from '../../api/trpc';

export async function fetchEndOfDay(date: string): Promise<EndOfDay | { error: string }> {
  try {
    return await api.report.endOfDay.query({ date });
  } catch (e) {
    return { error: describeFailure(e).message };
  }
}

/** Today's date (YYYY-MM-DD) on this device's clock, in its time zone. */
export function localToday(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** What the screen says about the day's mail, in a sentence. */
export function mailStatusText(mail: EndOfDay['mail']): string {
  if (!mail.isConfigured) return 'The summary is not mailed: no mail server is configured (SMTP_URL).';
  if (!mail.sendAt) return 'The summary is not mailed automatically: no sending time is configured (EOD_SEND_AT).';
  const run = mail.run;
  if (!run) return `The summary is mailed at ${mail.sendAt} to admins and billers with an email address.`;
  const when = new Date(run.finishedAt ?? run.startedAt).toLocaleString('en-IN');
  switch (run.status) {
    case 'sent':
      return `Mailed to ${run.recipients} ${run.recipients === 1 ? 'person' : 'people'} at ${when}.`;
    case 'sending':
      return 'The summary is being mailed now.';
    case 'skipped':
      return `Not mailed at ${when}: no admin or biller has an email address.`;
    case 'failed':
      return `Mailing failed at ${when} (attempt ${run.attempts} of 3): ${run.detail ?? 'no detail'}`;
  }
}
