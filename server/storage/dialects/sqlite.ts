import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import { SqliteDialect, SqliteDriver, sql, type CompiledQuery, type QueryResult, type DatabaseConnection, type Driver, type Kysely, type SqliteDialectConfig } from 'kysely';
import type { SyncStatements } from '../preparedQuery.js';
import type { SqliteWriter } from '../sqliteWriter.js';
import { threadCounters } from '../threadStats.js';
import { commitWithHooks, dropCommitHooks } from '../commitHooks.js';

/**
 * Embedded default: one file, WAL so readers never block the writer, full sync so an acked commit
 * survives a crash. The application database also has a writer thread for the message path
 * (storage/sqliteWriter.ts): this connection pauses it around its own writes.
 */
export function sqliteDialect(file: string, writer: SqliteWriter | null = null, onQueryError: (err: unknown) => void = () => {}, checkpointCounters = threadCounters()): SqliteDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = openSqlite(file);
  const checkpointer = file === ':memory:' ? null : startCheckpointer(db, file, checkpointCounters);
  return new FifoSqliteDialect({ database: cachingStatements(db, () => void checkpointer?.terminate()) }, writer, onQueryError);
}

/** A connection with Parley's settings: the event loop's, and the writer thread's (storage/sqliteWriter.ts). */
export function openSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the transaction returns, so an ack never outlives a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted rows (erased visitors, destroyed keys) are overwritten with zeros, not left in free pages.
  db.pragma('secure_delete = ON');
  return db;
}

/** A statement that changes rows (possibly after a WITH): what the writer thread may run for this connection. */
const ROW_CHANGE = /^\s*(with\b[\s\S]*\b)?(insert|update|delete|replace)\b/i;

/**
 * SQLite has one connection, shared by turns. Kysely's driver guards it with a mutex that, when
 * released, wakes every waiter and lets all but one go back to sleep: with hundreds of queries
 * waiting behind a transaction, each release cost hundreds of promise callbacks. Here waiters queue
 * and are woken one at a time, in arrival order.
 *
 * Writes never wait for SQLite's write lock here, which they would do asleep, on the event loop: a
 * statement that changes rows goes to the writer thread (storage/sqliteWriter.ts); a transaction
 * (or a pragma, DDL) pauses the thread between two batches first.
 */
class FifoSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig & { database: Pick<Database.Database, 'prepare' | 'close'> },
    private readonly writer: SqliteWriter | null,
    private readonly onQueryError: (err: unknown) => void,
  ) {
    super(config);
  }
  override createDriver(): Driver {
    return new FifoSqliteDriver(this.config, this.writer, this.onQueryError);
  }
}

class FifoSqliteDriver extends SqliteDriver {
  private held = false;
  private readonly waiting: Array<() => void> = [];
  private inTransaction = false;
  private wrapped: DatabaseConnection | null = null;

  constructor(
    private readonly settings: SqliteDialectConfig & { database: Pick<Database.Database, 'prepare' | 'close'> },
    private readonly writer: SqliteWriter | null,
    private readonly onQueryError: (err: unknown) => void,
  ) {
    super(settings);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held = true;
    // Only the holder gets here, so Kysely's own mutex never has a waiter.
    const connection = await super.acquireConnection();
    return (this.wrapped ??= this.reportingErrors(this.writer ? this.gate(connection, this.writer) : connection));
  }

  /** Every failed statement (commits included) is reported: storage/storageHealth.ts watches for a full disk. */
  private reportingErrors(connection: DatabaseConnection): DatabaseConnection {
    return {
      executeQuery: async <R>(query: CompiledQuery) => {
        try {
          return await connection.executeQuery<R>(query);
        } catch (err) {
          this.onQueryError(err);
          throw err;
        }
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    const next = this.waiting.shift();
    if (next) next(); // handed over directly: `held` stays true
    else this.held = false;
  }

  /**
   * The connection, with the writes outside a transaction kept off SQLite's write lock: a row
   * change (insert, update, delete) is written by the writer thread in its next batch — meanwhile
   * this connection serves the next caller; anything else (a pragma, DDL) pauses the thread.
   */
  private gate(connection: DatabaseConnection, writer: SqliteWriter): DatabaseConnection {
    return {
      executeQuery: async <R>(query: CompiledQuery) => {
        if (this.inTransaction || this.settings.database.prepare(query.sql).readonly) return connection.executeQuery<R>(query);
        if (ROW_CHANGE.test(query.sql)) {
          await this.releaseConnection();
          try {
            return (await writer.submit('statement', { sql: query.sql, parameters: query.parameters })) as QueryResult<R>;
          } finally {
            await this.acquireConnection();
          }
        }
        await writer.pause();
        try {
          return await connection.executeQuery<R>(query);
        } finally {
          writer.resume();
        }
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    dropCommitHooks(connection);
    await this.writer?.pause();
    this.inTransaction = true;
    try {
      await super.beginTransaction(connection);
    } catch (err) {
      this.endTransaction();
      throw err;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await commitWithHooks(connection, async () => {
      try {
        await super.commitTransaction(connection);
      } finally {
        this.endTransaction();
      }
    });
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      dropCommitHooks(connection);
      this.endTransaction();
    }
  }

  private endTransaction(): void {
    this.inTransaction = false;
    this.writer?.resume();
  }
}

/** Pages the WAL may hold before the writer checkpoints by itself (a backstop; see startCheckpointer). */
export const WRITER_CHECKPOINT_PAGES = 8000;
const CHECKPOINT_INTERVAL_MS = 50;

/**
 * A checkpoint copies WAL pages back into the database file and fsyncs it. Run by the writer (SQLite's
 * default: after the commit that crosses 1,000 pages), it blocks the event loop for tens of
 * milliseconds every few group commits. Here a worker thread with its own connection runs PASSIVE
 * checkpoints (they never block the writer) every 50 ms, so the writer's commits only append to the
 * WAL and fsync it. The writer keeps a high autocheckpoint as a backstop: it bounds the WAL if the
 * worker falls behind or dies, and lets the WAL restart from its beginning under constant load
 * (mostly already copied by then, so cheap). Durability is unchanged: a commit still returns only
 * after its WAL frames are on disk (synchronous=FULL).
 */
function startCheckpointer(db: Database.Database, file: string, counters: BigInt64Array): Worker | null {
  // Its thread id and the checkpoints that copied pages (each fsyncs the WAL and the database file)
  // go to shared counters (storage/threadStats.ts: slots tid and commits).
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const counters = new BigInt64Array(workerData.counters);
    try { Atomics.store(counters, 0, BigInt(require('node:fs').readFileSync('/proc/thread-self/stat', 'latin1').split(' ', 1)[0])); } catch {}
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 1000');
    db.pragma('synchronous = FULL');
    let copied = 0;
    setInterval(() => {
      try {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)');
        if (r && r.checkpointed > 0 && r.checkpointed !== copied) Atomics.add(counters, 1, 1n);
        copied = r ? r.checkpointed : 0;
      } catch {}
    }, workerData.intervalMs);
  `;
  try {
    const worker = new Worker(source, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, intervalMs: CHECKPOINT_INTERVAL_MS, counters: counters.buffer } });
    worker.unref();
    db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    const fallBack = () => {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    };
    worker.on('error', fallBack);
    worker.on('exit', fallBack);
    return worker;
  } catch {
    return null; // SQLite's own checkpoints (wal_autocheckpoint = 1000) then do the work
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query it runs (`db.prepare(sql)`: parse and plan, ~15 µs each), and the
 * message path runs the same dozen statements for every message. This keeps the most recently used
 * prepared statements by SQL text (bounded, least recently used dropped). A statement still being
 * iterated (a streamed query) is never handed out twice: a fresh one is prepared instead.
 */
export function cachingStatements(db: Database.Database, onClose: () => void = () => {}): Pick<Database.Database, 'prepare' | 'close'> {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(source: string) {
      const hit = cache.get(source);
      if (hit && !hit.busy) {
        cache.delete(source);
        cache.set(source, hit); // most recently used last
        return hit;
      }
      const stmt = db.prepare(source);
      if (!hit) {
        cache.set(source, stmt);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
    close() {
      cache.clear();
      onClose();
      return db.close();
    },
  } as Pick<Database.Database, 'prepare' | 'close'>;
}

/**
 * The same connection's statements without Kysely (the writer thread's units, storage/writeUnit.ts):
 * run exactly as Kysely's SQLite driver runs them (`all` for a statement that returns rows, `run`
 * otherwise), with the same cache of prepared statements.
 */
export function syncStatements(db: Pick<Database.Database, 'prepare'>): SyncStatements {
  return {
    all(source, parameters) {
      const stmt = db.prepare(source);
      if (stmt.reader) return stmt.all(parameters);
      stmt.run(parameters);
      return [];
    },
    isUniqueViolation: isSqliteUniqueViolation,
  };
}

/** A duplicate key: UNIQUE, or a PRIMARY KEY (SQLite reports those with their own code, same message). */
export function isSqliteUniqueViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * After crypto-shredding: move the WAL into the database and truncate it, so no page image holding a
 * destroyed wrapped key survives in the -wal file (secure_delete already zeroes the freed pages).
 */
export async function sqliteAfterErase(db: Kysely<any>): Promise<void> {
  // The background checkpointer (or a reader) can make a TRUNCATE checkpoint give up with busy = 1
  // instead of failing; retry until it completes, or say so — an erase must not end half-flushed.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { rows } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    if (!rows[0] || rows[0].busy === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('could not checkpoint the SQLite WAL after an erase (busy for 2 s)');
}
