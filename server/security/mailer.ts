/**
 * Outgoing email through SMTP (nodemailer). Without SMTP_URL nothing can be sent; that is logged
 * once per message as a warning, never silently dropped. Subject and body are redacted of card
 * numbers here, whatever the caller put in them.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import { redactString } from './sinkRedaction.js';
import { recordAccess, type Exposure } from './accessAudit.js';
import type { Ctx } from '../context.js';

/**
 * The `recordFirst` of a mail that carries conversation content or a visitor's personal data to
 * someone other than the data subject (the team's offline-message notice, the admins' exposure
 * report): one `email.deliver` entry per conversation/visitor it carries, by `email:<purpose>` with
 * the recipients as the address, so an exposure report lists the mail like any other read.
 * Every call of Mailer.send is classified in docs/SECURITY.md, *Access audit*.
 */
export function recordMailed(ctx: Pick<Ctx, 'storage'>, tenantId: string, purpose: string, exposures: Exposure[]): (mail: Mail) => Promise<void> {
  return (mail) => recordAccess(ctx, { kind: 'email', tenantId, purpose, to: mail.to }, 'email.deliver', exposures.length ? exposures : [{ tenantId, resourceType: 'tenant', details: { purpose } }]);
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
}

export class Mailer {
  private readonly transport: Transporter | null;

  constructor(smtpUrl: string | null, private readonly from: string, private readonly log: FastifyBaseLogger) {
    this.transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  }

  get configured(): boolean {
    return this.transport !== null;
  }

  /**
   * `recordFirst`: for a mail that carries customer data to someone other than its data subject,
   * writes its access-audit entry (recordMailed, below). It runs after every refusal here, just
   * before the mail is handed to SMTP, so only a mail that is about to leave is recorded; if it
   * throws, nothing is sent (false).
   */
  async send(unsafe: Mail, recordFirst?: (mail: Mail) => Promise<void>): Promise<boolean> {
    if (unsafe.to.length === 0) return false;
    // A sink like any other: no card number in any form leaves in a subject or a body, whoever built
    // the mail (security/sinkRedaction.ts); an address that holds one is not written to at all.
    if (unsafe.to.some((a) => redactString(a) !== a)) {
      this.log.warn({ recipients: unsafe.to.length }, 'email not sent: a recipient address holds a card number');
      return false;
    }
    const mail: Mail = { to: unsafe.to, subject: redactString(unsafe.subject).replace(/[\r\n]+/g, ' '), text: redactString(unsafe.text) };
    if (!this.transport) {
      this.log.warn({ subject: mail.subject, recipients: mail.to.length }, 'SMTP_URL is not set: email not sent');
      return false;
    }
    if (recordFirst) {
      try {
        await recordFirst(mail);
      } catch (err) {
        this.log.error({ err: (err as Error).message, recipients: mail.to.length }, 'email not sent: its access-audit entry could not be written');
        return false;
      }
    }
    try {
      await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
      return true;
    } catch (err) {
      this.log.error({ err: (err as Error).message, subject: mail.subject }, 'email not sent');
      return false;
    }
  }

  close(): void {
    this.transport?.close();
  }
}
