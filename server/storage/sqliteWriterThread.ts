/**
 * The SQLite writer thread's side (see storage/sqliteWriter.ts): its own connection to the database
 * file, and the write units by name. Storage does not know the units (they are commands): the
 * thread's entry file, commands/writerThread.ts, hands them to serveWriteUnits. Units wait in
 * arrival order; each batch — everything that arrived while the previous one was written, up to MAX_BATCH — runs in one transaction (runBatch),
 * and its outcomes are posted only after the commit returned, i.e. after the fsync.
 *
 * Between two batches the event loop may pause the thread (its own connection is about to write):
 * the thread says so, and starts no batch until it is resumed.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Kysely, SqliteDialect } from 'kysely';
import { cachingStatements, openSqlite, syncStatements, WRITER_CHECKPOINT_PAGES } from './dialects/sqlite.js';
import type { Database } from './schema.js';
import { runBatch, type WriteUnit } from './writeUnit.js';
import { toWire, type FromWriter, type ToWriter, type WriteUnitName } from './sqliteWriter.js';
import { ownThreadId, SLOT, threadCounters } from './threadStats.js';

// On a slow or busy disk a commit waits long; what arrived meanwhile all goes in the next one (issue 21: 256 was reached at ~30 fsyncs/s).
const MAX_BATCH = 1024;

/** Runs this thread: called once by the thread's entry file with every write unit by name. */
export function serveWriteUnits(units: Record<WriteUnitName, WriteUnit<never, unknown>>): void {
  writeUnits = units as Record<WriteUnitName, WriteUnit<unknown, unknown>>;
  port.on('message', (msg: ToWriter) => {
    take(msg);
    void pump();
  });
}

let writeUnits: Record<WriteUnitName, WriteUnit<unknown, unknown>> = {};

const { file, paused: startPaused, counters: shared } = workerData as { file: string; paused: boolean; counters: SharedArrayBuffer };
// Who this thread is, and how many commits it made, for /metrics and the bench (storage/threadStats.ts).
const counters = threadCounters(shared);
Atomics.store(counters, SLOT.tid, BigInt(ownThreadId()));
const connection = openSqlite(file);
// Checkpoints are the event loop's checkpointer thread's job; this is only the backstop (see dialects/sqlite.ts).
connection.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
const statementCache = cachingStatements(connection);
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statementCache }) });
// The same connection and statement cache without Kysely's promises, for the units' common cases (storage/writeUnit.ts).
const statements = syncStatements(statementCache);
const port = parentPort!;
const send = (msg: FromWriter) => port.postMessage(msg);

const queue: Array<{ id: number; unit: WriteUnitName; input: unknown }> = [];
let paused = startPaused;
let pauseRequested = false;
let closing = false;
let writing = false;

function take(msg: ToWriter): void {
  if ('jobs' in msg) for (const job of msg.jobs) queue.push(job);
  else if ('pause' in msg) pauseRequested = true;
  else if ('resume' in msg) paused = false;
  else closing = true;
}


async function pump(): Promise<void> {
  if (writing) return;
  writing = true;
  try {
    for (;;) {
      // Everything that arrived while the last batch was written joins the next one.
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) take(m.message as ToWriter);
      if (pauseRequested) {
        pauseRequested = false;
        paused = true;
        send({ paused: true });
      }
      if (paused || queue.length === 0) break;
      const batch = queue.splice(0, MAX_BATCH);
      const outcomes = await runBatch(db, batch.map(({ unit, input }) => ({ unit: unitNamed(unit), input })), db, statements);
      Atomics.add(counters, SLOT.commits, 1n);
      Atomics.add(counters, SLOT.units, BigInt(batch.length));
      const done = batch.map(({ id }, i) => {
        const o = outcomes[i]!;
        return { id, outcome: o.ok ? o : { ok: false as const, error: toWire(o.error) } };
      });
      send({ done });
    }
    if (closing && queue.length === 0) {
      await db.destroy();
      port.close();
    }
  } finally {
    writing = false;
  }
}

function unitNamed(name: WriteUnitName): WriteUnit<unknown, unknown> {
  const unit = writeUnits[name];
  return unit ?? (() => Promise.reject(new Error(`unknown write unit ${String(name)}`)));
}
