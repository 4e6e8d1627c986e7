import { createTransport } from 'nodemailer';
import type { Logger } from './logger';

export interface MailAttachment {
  filename: string;
  content: Buffer | string;
  contentType?: string;
}

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

/**
 * Outgoing mail (password resets, the end-of-day summary). With `SMTP_URL` it goes through
 * nodemailer's SMTP transport; without one, nothing is sent and the message is logged instead,
 * so an admin can still hand a reset link over (RULES.md, Accounts).
 */
export interface Mailer {
  /** True when mail really leaves the server (SMTP_URL is set). */
  readonly isConfigured: boolean;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(opts: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  if (!opts.smtpUrl) {
    return {
      isConfigured: false,
      async send(message) {
        // Without a transport the text is what an admin needs (a reset link, a summary's totals).
        opts.logger.info('mail not sent (SMTP_URL is unset)', { to: message.to, subject: message.subject, text: message.text });
      },
      close() {},
    };
  }
  const transport = createTransport(opts.smtpUrl);
  return {
    isConfigured: true,
    async send(message) {
      await transport.sendMail({ from: opts.from, ...message });
    },
    close: () => transport.close(),
  };
}
