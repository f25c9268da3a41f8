/**
 * Outgoing email through SMTP (nodemailer). Without SMTP_URL nothing can be sent; that is logged
 * once per message as a warning, never silently dropped. Subject and body are redacted of card
 * numbers here, whatever the caller put in them.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import { redactString } from './sinkRedaction.js';

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

  async send(unsafe: Mail): Promise<boolean> {
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
