/**
 * A write unit: a named transaction body whose input and output are plain data (structured-clone
 * safe), so it can run wherever its writes are grouped — on SQLite the writer thread
 * (storage/sqliteWriter.ts), on PostgreSQL the event loop (commands/groupCommit.ts). The units are
 * listed in commands/writeUnits.ts.
 *
 * Several units share one transaction (`runBatch`): a failing unit is rolled back alone and gets its
 * own error; one commit — one fsync — for the whole batch.
 *
 * Rows a unit hands to `later.insertIgnoringDuplicates` (the search index) are inserted for the
 * whole batch with a few multi-row statements just before the commit, in the same transaction, so
 * they are committed exactly when the units' own writes are. A unit that fails contributes none.
 * `later.afterCommit` runs once the batch is durable (for facts that may only be cached then).
 */
import { CompiledQuery, type Insertable, type Kysely, type QueryResult, type Transaction } from 'kysely';
import { preparedQuery, type SyncStatements } from './preparedQuery.js';
import type { Database } from './schema.js';

type SearchRow = Insertable<Database['message_search']>;

/** What a unit defers to the end of its batch. */
export interface Later {
  /** Inserted for the whole batch just before its commit. */
  insertIgnoringDuplicates(table: 'message_search', rows: SearchRow[]): void;
  /** Runs after the commit, only if this unit's writes were committed. */
  afterCommit(fn: () => void): void;
}

export interface UnitContext {
  later: Later;
  /** Rolls back this unit's writes when it returns; its value is still its outcome (e.g. "already stored"). */
  undo(): void;
  /** Identifies the database in this thread, for caches of facts about it (storage/indexedWords.ts). */
  database: object;
  /**
   * The transaction's connection, synchronously (preparedQuery's allSync), where it has one: on
   * SQLite's writer thread, for a unit's common case. Absent elsewhere (PostgreSQL), where units
   * run their queries through `trx` as usual.
   */
  statements?: SyncStatements;
}

export type WriteUnit<I, O> = (trx: Transaction<Database>, input: I, ctx: UnitContext) => Promise<O>;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Deferred {
  rows: SearchRow[];
  afterCommit: Array<() => void>;
}

const collector = (into: Deferred): Later => ({
  insertIgnoringDuplicates(_table, rows) {
    for (const r of rows) into.rows.push(r);
  },
  afterCommit(fn) {
    into.afterCommit.push(fn);
  },
});

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
async function flush(trx: Transaction<Database>, rows: SearchRow[], statements?: SyncStatements): Promise<void> {
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
    const insert = insertSearchRows.get(n)!;
    if (statements) insert.allSync(trx, statements, params);
    else await insert.all(trx, params);
    i += n;
  }
}

/** Thrown out of a transaction to roll it back, carrying the unit's value. */
class Undone {
  constructor(readonly value: unknown) {}
}

/** One unit in its own transaction. */
export async function runAlone<I, O>(db: Kysely<Database>, unit: WriteUnit<I, O>, input: I, database: object): Promise<O> {
  const deferred: Deferred = { rows: [], afterCommit: [] };
  try {
    const value = await db.transaction().execute(async (trx) => {
      let undone = false;
      const out = await unit(trx, input, { later: collector(deferred), undo: () => (undone = true), database });
      if (undone) throw new Undone(out);
      await flush(trx, deferred.rows);
      return out;
    });
    for (const fn of deferred.afterCommit) fn();
    return value;
  } catch (err) {
    if (err instanceof Undone) return err.value as O;
    throw err;
  }
}

const SAVEPOINT = CompiledQuery.raw('savepoint write_unit');
const RELEASE = CompiledQuery.raw('release savepoint write_unit');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint write_unit');

type Job = { unit: WriteUnit<unknown, unknown>; input: unknown };
type Trx = Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>>;

/**
 * Several units in one transaction; one outcome per job, in order. If the commit fails, every job
 * fails with its error. Units rarely fail, so a batch is first written without savepoints (two
 * statements fewer per unit); if one of its units fails or undoes itself, that attempt is rolled
 * back whole and the batch is written again with each unit in its own savepoint.
 */
export async function runBatch(db: Kysely<Database>, jobs: Job[], database: object, statements?: SyncStatements): Promise<Outcome[]> {
  return (jobs.length > 1 && (await attempt(db, jobs, database, false, statements))) || (await attempt(db, jobs, database, true, statements))!;
}

/** Without savepoints: null (and nothing written) as soon as a unit fails or undoes itself. */
async function attempt(db: Kysely<Database>, jobs: Job[], database: object, savepoints: boolean, statements: SyncStatements | undefined): Promise<Outcome[] | null> {
  const outcomes: Outcome[] = [];
  const deferred: Deferred = { rows: [], afterCommit: [] };
  let trx: Trx | null = null;
  try {
    trx = await db.startTransaction().execute();
    for (const job of jobs) {
      const outcome = await runUnit(trx, job, database, deferred, savepoints, statements);
      if (!outcome) {
        await trx.rollback().execute();
        return null;
      }
      outcomes.push(outcome);
    }
    await flush(trx, deferred.rows, statements);
    await trx.commit().execute();
  } catch (error) {
    // The commit itself (or the transaction) failed: nothing in the batch is stored.
    if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => {});
    return jobs.map(() => ({ ok: false, error }));
  }
  for (const fn of deferred.afterCommit) fn();
  return outcomes;
}

/** Runs one unit of a batch; its deferred work joins the batch's only if its writes are kept. Null: failed or undone without a savepoint. */
async function runUnit(trx: Trx, job: Job, database: object, batch: Deferred, savepoint: boolean, statements: SyncStatements | undefined): Promise<Outcome | null> {
  if (savepoint) await trx.executeQuery(SAVEPOINT);
  const mine: Deferred = { rows: [], afterCommit: [] };
  let outcome: Outcome;
  let keep = false;
  try {
    let undone = false;
    const value = await job.unit(trx, job.input, { later: collector(mine), undo: () => (undone = true), database, statements });
    outcome = { ok: true, value };
    keep = !undone;
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (!savepoint) {
    if (!keep) return null;
  } else {
    if (!keep) await trx.executeQuery(ROLLBACK_TO);
    await trx.executeQuery(RELEASE);
  }
  if (keep) {
    for (const r of mine.rows) batch.rows.push(r);
    for (const fn of mine.afterCommit) batch.afterCommit.push(fn);
  }
  return outcome;
}

/**
 * One statement that changes rows, written for the event loop's connection (dialects/sqlite.ts):
 * in the writer thread's batch instead of taking SQLite's write lock on the event loop.
 */
export async function runStatement(trx: Transaction<Database>, input: { sql: string; parameters: readonly unknown[] }): Promise<QueryResult<unknown>> {
  // A Buffer crosses the thread boundary as a plain Uint8Array, which better-sqlite3 does not bind.
  const parameters = input.parameters.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
  return trx.executeQuery(CompiledQuery.raw(input.sql, parameters));
}
