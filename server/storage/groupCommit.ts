/**
 * Group commit: on SQLite every commit is an fsync (synchronous=FULL), which caps one node at about
 * one commit per fsync. Work submitted while a transaction is running is queued and then run in ONE
 * transaction, each unit inside its own savepoint (a failing unit is rolled back alone and gets its
 * own error), with one commit — and one fsync — for the whole batch. Every caller's promise settles
 * only after that commit, so "ack only after commit" still holds. No delay is added: a lone unit
 * commits after one turn of the event loop; batches form from what arrives while the disk is busy.
 * PostgreSQL already merges concurrent commits' WAL flushes across connections, so there the unit
 * runs in its own transaction, unchanged.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { Storage } from './db.js';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;
interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
interface Queue {
  jobs: Job[];
  running: boolean;
}

const MAX_BATCH = 256;
const queues = new WeakMap<Storage, Queue>();

export function groupCommit<T>(storage: Storage, work: Work<T>): Promise<T> {
  if (storage.dialect !== 'sqlite') return storage.db.transaction().execute(work);
  let q = queues.get(storage);
  if (!q) queues.set(storage, (q = { jobs: [], running: false }));
  const queue = q;
  return new Promise<T>((resolve, reject) => {
    queue.jobs.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject });
    if (!queue.running) void drain(storage, queue);
  });
}

async function drain(storage: Storage, q: Queue): Promise<void> {
  q.running = true;
  try {
    while (q.jobs.length > 0) {
      // better-sqlite3 is synchronous: a commit blocks the event loop for its fsync. Yield once so
      // the frames that arrived meanwhile reach this queue and share the next commit.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = q.jobs.splice(0, MAX_BATCH);
      if (batch.length === 1) {
        const job = batch[0]!;
        await storage.db.transaction().execute(job.work).then(job.resolve, job.reject);
        continue;
      }
      await runBatch(storage, batch);
    }
  } finally {
    q.running = false;
  }
}

async function runBatch(storage: Storage, batch: Job[]): Promise<void> {
  const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
  let trx: Awaited<ReturnType<ReturnType<Storage['db']['startTransaction']>['execute']>> | null = null;
  try {
    trx = await storage.db.startTransaction().execute();
    for (const job of batch) {
      await sql`savepoint group_commit`.execute(trx);
      try {
        const value = await job.work(trx);
        await sql`release savepoint group_commit`.execute(trx);
        outcomes.push({ ok: true, value });
      } catch (error) {
        await sql`rollback to savepoint group_commit`.execute(trx);
        await sql`release savepoint group_commit`.execute(trx);
        outcomes.push({ ok: false, error });
      }
    }
    await trx.commit().execute();
  } catch (error) {
    // The commit itself (or the transaction) failed: nothing in the batch is stored.
    if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => {});
    for (const job of batch) job.reject(error);
    return;
  }
  batch.forEach((job, i) => {
    const o = outcomes[i]!;
    if (o.ok) job.resolve(o.value);
    else job.reject(o.error);
  });
}
