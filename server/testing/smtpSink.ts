/**
 * Tests read the email Parley sends from a real SMTP server running in a child process
 * (smtpSinkProcess.mjs, on the smtp-server package): SMTP_URL points at it, and `next()` waits for
 * the next message that arrives, decoded enough to search its subject and text.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** Headers and body, with quoted-printable soft breaks and escapes decoded. */
  text: string;
}

function decode(raw: string): ReceivedMail['text'] {
  const qp = /content-transfer-encoding:\s*quoted-printable/i.test(raw);
  if (!qp) return raw;
  // Quoted-printable escapes are bytes of UTF-8 (the mailer's charset): join them, then decode.
  const latin1 = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

export class SmtpSink {
  private mails: ReceivedMail[] = [];
  private waiters: Array<(m: ReceivedMail) => void> = [];

  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<SmtpSink> {
    const proc = spawn(process.execPath, [join(import.meta.dirname, 'smtpSinkProcess.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    let sink: SmtpSink | null = null;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('SMTP sink did not start')), 10_000);
      proc.once('exit', (code) => reject(new Error(`SMTP sink exited with ${code}`)));
      proc.stdout!.on('data', (d: Buffer) => {
        buffer += d.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffer.slice(0, nl)) as { listening?: number; from?: string; to?: string[]; raw?: string };
          buffer = buffer.slice(nl + 1);
          if (line.listening) {
            clearTimeout(timer);
            sink = new SmtpSink(proc, line.listening);
            resolve(sink);
          } else if (sink && line.raw !== undefined) {
            const text = decode(line.raw);
            const subject = /^subject:\s*(.*)$/im.exec(text)?.[1]?.trim() ?? '';
            sink.arrived({ from: line.from ?? '', to: line.to ?? [], subject, text });
          }
        }
      });
    });
  }

  private arrived(mail: ReceivedMail): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(mail);
    else this.mails.push(mail);
  }

  /** The next message received (or already waiting), within `ms`. */
  next(ms = 10_000): Promise<ReceivedMail> {
    const ready = this.mails.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no email arrived')), ms);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

/**
 * One sink for the tests of the enclosing describe block (or file): registers the beforeAll that
 * starts it and the afterAll that stops it. Its `url` (for SMTP_URL) and `next` are the sink's, from
 * the first beforeEach on.
 */
export function smtpSinkForSuite(): Pick<SmtpSink, 'url' | 'next'> {
  let sink: SmtpSink | undefined;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => {
    await sink?.stop();
  });
  const started = (): SmtpSink => {
    if (!sink) throw new Error('the SMTP sink starts in beforeAll: use it from a beforeEach or a test');
    return sink;
  };
  return {
    get url() {
      return started().url;
    },
    next: (ms) => started().next(ms),
  };
}
