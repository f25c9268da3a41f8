/**
 * Group commit: on SQLite every commit is an fsync (synchronous=FULL), which caps one node at about
 * one commit per fsync. Work submitted while a transaction is running is queued and then run in ONE
 * transaction, each unit inside its own savepoint (a failing unit is rolled back alone and gets its
 * own error), with one commit — and one fsync — for the whole batch. Every caller's promise settles
 * only after that commit, so "ack only after commit" still holds. No delay is added: a lone unit
 * commits after one turn of the event loop; batches form from what arrives while the disk is busy.
 * PostgreSQL already merges concurrent commits' WAL flushes across connections, so there the unit
 * runs in its own transaction, unchanged.
 *
 * Rows a unit hands to `later.insertIgnoringDuplicates` (the search index) are inserted, for the
 * whole batch, with a few multi-row statements just before the commit — in the same transaction, so
 * they are committed exactly when the units' own writes are. A unit that fails contributes none.
 */
import { CompiledQuery, type Insertable, type Transaction } from 'kysely';
import { preparedQuery } from './preparedQuery.js';
import { batchWhileBusy } from './batchWhileBusy.js';
import type { Database } from './schema.js';
import type { Storage } from './db.js';

/** Writes a unit defers to the end of its batch (still before the commit). */
export interface Later {
  insertIgnoringDuplicates(table: 'message_search', rows: Array<Insertable<Database['message_search']>>): void;
}
type Work<T> = (trx: Transaction<Database>, later: Later) => Promise<T>;
interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
type Deferred = Map<'message_search', Array<Insertable<Database['message_search']>>>;

function collector(into: Deferred): Later {
  return {
    insertIgnoringDuplicates(table, rows) {
      const list = into.get(table);
      if (list) for (const r of rows) list.push(r);
      else into.set(table, rows.slice());
    },
  };
}

type SearchRow = Insertable<Database['message_search']>;
const CHUNK_SIZES = [256, 128, 64, 32, 16, 8, 4, 2, 1];
/** `insert … on conflict do nothing` of n search rows, one prepared query per chunk size; parameters `t0`, `k0`, `c0`, `m0`, `t1`, …. */
const insertSearchRows = new Map(
  CHUNK_SIZES.map((n) => [
    n,
    preparedQuery<Record<string, string>, never>((db, p) =>
      db
        .insertInto('message_search')
        .values(Array.from({ length: n }, (_, i) => ({ tenant_id: p(`t${i}`), token: p(`k${i}`), conversation_id: p(`c${i}`), message_id: p(`m${i}`) })))
        .onConflict((oc) => oc.doNothing()),
    ),
  ]),
);

/** Inserts deferred rows in chunks of power-of-two sizes, so few distinct statements are prepared. */
async function flush(trx: Transaction<Database>, deferred: Deferred): Promise<void> {
  const rows: SearchRow[] = deferred.get('message_search') ?? [];
  let i = 0;
  while (i < rows.length) {
    const n = CHUNK_SIZES.find((size) => size <= rows.length - i)!;
    const params: Record<string, string> = {};
    for (let j = 0; j < n; j++) {
      const r = rows[i + j]!;
      params[`t${j}`] = r.tenant_id;
      params[`k${j}`] = r.token;
      params[`c${j}`] = r.conversation_id;
      params[`m${j}`] = r.message_id;
    }
    await insertSearchRows.get(n)!.all(trx, params);
    i += n;
  }
}

/** One unit in its own transaction, with its deferred rows flushed before the commit. */
function runAlone<T>(storage: Storage, work: Work<T>): Promise<T> {
  return storage.db.transaction().execute(async (trx) => {
    const deferred: Deferred = new Map();
    const value = await work(trx, collector(deferred));
    await flush(trx, deferred);
    return value;
  });
}

const MAX_BATCH = 256;
const SAVEPOINT = CompiledQuery.raw('savepoint group_commit');
const RELEASE = CompiledQuery.raw('release savepoint group_commit');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint group_commit');
const queues = new WeakMap<Storage, (job: Job) => void>();

// better-sqlite3 is synchronous: a commit blocks the event loop for its fsync. Yield once before
// each batch so the frames that arrived meanwhile reach the queue and share the next commit.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function groupCommit<T>(storage: Storage, work: Work<T>): Promise<T> {
  if (storage.dialect !== 'sqlite') return runAlone(storage, work);
  let enqueue = queues.get(storage);
  if (!enqueue) queues.set(storage, (enqueue = batchWhileBusy((jobs: Job[]) => runJobs(storage, jobs), { max: MAX_BATCH, beforeBatch: yieldToEventLoop })));
  const submit = enqueue;
  return new Promise<T>((resolve, reject) => submit({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject }));
}

/** A lone job needs no savepoint; several share one transaction (runBatch). Settles every job. */
function runJobs(storage: Storage, jobs: Job[]): Promise<void> {
  if (jobs.length > 1) return runBatch(storage, jobs);
  const job = jobs[0]!;
  return runAlone(storage, job.work).then(job.resolve, job.reject);
}

async function runBatch(storage: Storage, batch: Job[]): Promise<void> {
  const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
  let trx: Awaited<ReturnType<ReturnType<Storage['db']['startTransaction']>['execute']>> | null = null;
  try {
    trx = await storage.db.startTransaction().execute();
    const deferred: Deferred = new Map();
    for (const job of batch) {
      await trx.executeQuery(SAVEPOINT);
      const mine: Deferred = new Map();
      try {
        const value = await job.work(trx, collector(mine));
        await trx.executeQuery(RELEASE);
        for (const [table, rows] of mine) collector(deferred).insertIgnoringDuplicates(table, rows);
        outcomes.push({ ok: true, value });
      } catch (error) {
        await trx.executeQuery(ROLLBACK_TO);
        await trx.executeQuery(RELEASE);
        outcomes.push({ ok: false, error });
      }
    }
    await flush(trx, deferred);
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
