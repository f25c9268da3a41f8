/**
 * Outgoing email through SMTP (nodemailer). Without SMTP_URL nothing can be sent; that is logged
 * once per message as a warning, never silently dropped.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

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

  async send(mail: Mail): Promise<boolean> {
    if (mail.to.length === 0) return false;
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
