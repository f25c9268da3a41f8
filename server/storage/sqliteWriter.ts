/**
 * The SQLite writer thread. better-sqlite3 is synchronous, so every statement and every commit's
 * fsync ran on the event loop, and a node used one of its cores: SQL was a third of a message's
 * time there, with the second core idle. Write units (storage/writeUnit.ts) — whole messages, not
 * statements — now run on a worker thread with its own connection to the same file
 * (storage/sqliteWriterThread.ts, entered through commands/writerThread.ts, which names the units). The thread groups them: the units that arrive while it writes a
 * batch become the next batch, one transaction and one fsync (commands/groupCommit.ts).
 *
 * SQLite allows one writer at a time, and the event loop's connection, waiting for the write lock,
 * would sleep on the event loop. So the two never compete: before the event loop writes (a
 * transaction, or a statement that is not read-only) its connection pauses the thread between two
 * batches, and resumes it after (dialects/sqlite.ts). Reads never wait: in WAL mode they see the
 * last commit and block no writer.
 *
 * A unit's promise settles after its batch committed on the thread (or failed): "ack only after
 * commit" holds. If the thread dies, its batch fails (nothing of it was acknowledged) and the next
 * unit starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AppError } from '../errors.js';
import type { ErrorCode } from '../../protocol/errorCodes.js';
import { threadCounters } from './threadStats.js';

/** A write unit's name (commands/writeUnits.ts lists them); storage never imports the units themselves. */
export type WriteUnitName = string;

/** Event loop → thread. */
export type ToWriter = { jobs: Array<{ id: number; unit: WriteUnitName; input: unknown }> } | { pause: true } | { resume: true } | { close: true };
/** Thread → event loop. */
export type FromWriter = { done: Array<{ id: number; outcome: WireOutcome }> } | { paused: true };

/** An error as it crosses the thread boundary: structured clone keeps neither AppError's code nor a driver's error code. */
export interface WireError {
  name: string;
  message: string;
  /** A driver error's code, e.g. SQLITE_CONSTRAINT_UNIQUE (storage/dialects/sqlite.ts). */
  code?: string;
  appCode?: ErrorCode;
  details?: unknown;
}
export type WireOutcome = { ok: true; value: unknown } | { ok: false; error: WireError };

export function toWire(error: unknown): WireError {
  if (error instanceof AppError) return { name: error.name, message: error.message, appCode: error.code, details: error.details };
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

function fromWire(wire: WireError): Error {
  if (wire.appCode) return new AppError(wire.appCode, wire.message, wire.details);
  const e = Object.assign(new Error(wire.message), wire.code ? { code: wire.code } : {});
  e.name = wire.name;
  return e;
}

/**
 * Starts the thread on its entry file (commands/writerThread): the compiled file under dist/, or the
 * TypeScript source through tsx (tests, `BENCH_FROM_SOURCE`).
 */
function startThread(entry: URL, file: string, paused: boolean, counters: SharedArrayBuffer): Worker {
  const self = import.meta.url;
  const fromSource = entry.href.endsWith('.ts');
  const workerData = { file, paused, counters };
  if (!fromSource) return new Worker(entry, { workerData });
  // Registers tsx's loader first (a worker's execArgv `--import tsx` comes too late for its entry).
  // tsx exports its ESM API only under the "import" condition, which createRequire does not resolve.
  const tsxApi = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(self).resolve('tsx'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class SqliteWriter {
  private thread: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  /** Units submitted in this turn of the event loop, posted together at its end. */
  private outbox: Array<{ id: number; unit: WriteUnitName; input: unknown }> = [];
  /** True while the event loop's connection writes (between pause and resume). */
  private eventLoopWriting = false;
  private pauseAck: (() => void) | null = null;
  private closed = false;
  /** The thread's id, commits and units (storage/threadStats.ts), written by the thread itself. */
  readonly counters = threadCounters();

  constructor(
    private readonly file: string,
    /** The thread's entry file, which hands the write units to storage/sqliteWriterThread.ts. */
    private readonly entry: URL,
    /** Every failed unit (storage/storageHealth.ts watches for a full disk). */
    private readonly onFailure: (err: Error) => void = () => {},
  ) {
    if (file === ':memory:') throw new Error('an in-memory SQLite database cannot be shared with the writer thread: use a file');
  }

  /** Runs the unit on the thread, in the next batch; settles after that batch's commit. */
  submit(unit: WriteUnitName, input: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    const id = this.nextId++;
    if (this.outbox.length === 0) setImmediate(() => this.post());
    this.outbox.push({ id, unit, input });
    return new Promise((resolve, reject) =>
      this.waiting.set(id, {
        resolve,
        reject: (err) => {
          this.onFailure(err);
          reject(err);
        },
      }),
    );
  }

  private post(): void {
    if (this.outbox.length === 0) return;
    const jobs = this.outbox;
    this.outbox = [];
    this.send(this.thread ?? this.start(), { jobs });
  }

  /**
   * Holds the thread between two batches until `resume`: the event loop's connection is about to
   * write. Call only while holding that connection (one caller at a time).
   */
  async pause(): Promise<void> {
    this.eventLoopWriting = true;
    const thread = this.thread;
    if (!thread) return; // a thread started meanwhile starts paused
    const acked = new Promise<void>((resolve) => (this.pauseAck = resolve));
    this.send(thread, { pause: true });
    await acked;
    this.keepAlive(thread);
  }

  resume(): void {
    this.eventLoopWriting = false;
    if (this.thread) this.send(this.thread, { resume: true });
  }

  private send(thread: Worker, msg: ToWriter): void {
    thread.postMessage(msg);
    this.keepAlive(thread);
  }

  /** While a reply is awaited the thread keeps the process alive; an idle thread does not. */
  private keepAlive(thread: Worker): void {
    if (this.waiting.size > 0 || this.pauseAck || this.outbox.length > 0) thread.ref();
    else thread.unref();
  }

  private start(): Worker {
    const thread = startThread(this.entry, this.file, this.eventLoopWriting, this.counters.buffer as SharedArrayBuffer);
    thread.unref();
    thread.on('message', (msg: FromWriter) => {
      if ('paused' in msg) {
        const ack = this.pauseAck;
        this.pauseAck = null;
        ack?.();
        this.keepAlive(thread);
        return;
      }
      for (const { id, outcome } of msg.done) {
        const waiter = this.waiting.get(id);
        this.waiting.delete(id);
        if (outcome.ok) waiter?.resolve(outcome.value);
        else waiter?.reject(fromWire(outcome.error));
      }
      this.keepAlive(thread);
    });
    const stopped = (error: Error) => {
      if (this.thread !== thread) return;
      this.thread = null;
      // The units it was given fail (none was acknowledged); those not posted yet go to the next thread.
      const unposted = new Set(this.outbox.map((job) => job.id));
      for (const [id, waiter] of this.waiting) {
        if (unposted.has(id)) continue;
        this.waiting.delete(id);
        waiter.reject(error);
      }
      this.pauseAck?.(); // nothing left to pause
      this.pauseAck = null;
    };
    thread.on('error', (err) => stopped(new Error(`SQLite writer thread failed: ${err.message}`, { cause: err })));
    thread.on('exit', (code) => stopped(new Error(`SQLite writer thread exited (code ${code})`)));
    this.thread = thread;
    return thread;
  }

  /** Lets the units already posted finish, then closes the thread's connection. */
  async close(): Promise<void> {
    this.post();
    this.closed = true;
    const thread = this.thread;
    if (!thread) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    this.send(thread, { close: true });
    thread.ref(); // until it has exited
    await exited;
  }
}
