import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/src/infra/logger';
import { createMailer } from '../../server/src/infra/mailer';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp';

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(() => smtp.close());

describe('mailer', () => {
  it('delivers through SMTP_URL to a real SMTP server, with an attachment', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'TraceTrack <tt@example.com>', logger: createLogger('silent') });
    expect(mailer.isConfigured).toBe(true);
    await mailer.send({
      to: ['a@example.com', 'b@example.com'],
      subject: 'Summary 2026-11-30',
      text: 'Bills completed: 3',
      attachments: [{ filename: 'eod.csv', content: 'bill_number\nB-1\n', contentType: 'text/csv' }],
    });
    const mail = await smtp.waitFor((m) => m.raw.includes('Summary 2026-11-30'));
    expect(mail.to).toEqual(['a@example.com', 'b@example.com']);
    expect(mail.from).toBe('tt@example.com');
    expect(mail.raw).toContain('Bills completed: 3');
    expect(mail.raw).toContain('filename=eod.csv');
    mailer.close();
  });

  it('without SMTP_URL logs the message instead of sending it', async () => {
    const lines: unknown[] = [];
    const logger = { ...createLogger('silent'), info: (msg: string, fields?: Record<string, unknown>) => lines.push({ msg, ...fields }) };
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@example.com', logger });
    expect(mailer.isConfigured).toBe(false);
    await mailer.send({ to: 'a@example.com', subject: 'Reset', text: 'https://tt.example/reset?token=abc' });
    expect(lines).toEqual([expect.objectContaining({ subject: 'Reset', text: 'https://tt.example/reset?token=abc' })]);
    expect(smtp.received.some((m) => m.raw.includes('token=abc'))).toBe(false);
  });
});
