/**
 * The storage entry point: opens SQLite (embedded default) or PostgreSQL (DATABASE_URL), runs
 * migrations, and exposes the one helper that differs between dialects. Also opens the key store
 * (keyStore.ts): the wrapped tenant keys live there, never in this database.
 */
import { Kysely, Migrator } from 'kysely';
import { dirname, join } from 'node:path';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { isSqliteUniqueViolation, sqliteAfterErase, sqliteDialect } from './dialects/sqlite.js';
import { isPostgresUniqueViolation, postgresDialect } from './dialects/postgres.js';
import { openKeyStore, type KeyStore } from './keyStore.js';
import { SqliteWriter } from './sqliteWriter.js';
import { StorageHealth } from './storageHealth.js';
import { threadCounters, type NamedThread } from './threadStats.js';
import { retryWhileSchemasChange, waitForDatabase } from './databaseWait.js';

export type Db = Kysely<Database>;

export interface Storage {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  isUniqueViolation(err: unknown): boolean;
  /** SQLite: the thread that writes grouped write units (sqliteWriter.ts, commands/groupCommit.ts); null on PostgreSQL and without a `writerThread`. */
  writer: SqliteWriter | null;
  /** The wrapped tenant keys, in their own database (keyStore.ts); only the Keyring and dataLifecycle use it. */
  keys: KeyStore;
  /** Disk-full episodes (storageHealth.ts): /healthz, the metric and the error code read it. */
  health: StorageHealth;
  /** SQLite: the threads storage runs besides the event loop, with their counters (threadStats.ts); none on PostgreSQL. */
  threads: NamedThread[];
  /** After erasing data or destroying keys: flush what the engine (and the key store) may still hold of deleted rows. */
  afterErase(): Promise<void>;
  close(): Promise<void>;
}

export interface StorageOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in a fresh schema). */
  pgSchema?: string;
  /** SQLite file, overriding DATA_DIR/parley.sqlite (tests use temp files). */
  sqliteFile?: string;
  /** KEYSTORE_URL: the key store's PostgreSQL database or schema (default: schema parley_keys of DATABASE_URL). */
  keystoreUrl?: string | null;
  /** Key store PostgreSQL schema override (tests); default `<pgSchema>_keys` when pgSchema is set. */
  keystorePgSchema?: string;
  /** Key store SQLite file, overriding DATA_DIR/keystore.sqlite. */
  keystoreFile?: string;
  /**
   * SQLite: the writer thread's entry file (commands/writerThread, named by the caller so storage
   * never imports commands). Without it, write units run on the event loop, one transaction each.
   */
  writerThread?: URL;
  /**
   * PostgreSQL not reachable at boot: keep trying for this long (ms) before giving up
   * (DATABASE_WAIT_SECONDS; 0 = fail at once, the default for tests and the CLI). `onWait` is told
   * of every failed attempt and the delay before the next one.
   */
  waitMs?: number;
  onWait?: (attempt: number, delayMs: number, err: unknown) => void;
}

export async function openStorage(opts: StorageOptions): Promise<Storage> {
  let db: Db;
  let writer: SqliteWriter | null = null;
  let mainAfterErase: () => Promise<void>;
  let health: StorageHealth;
  const threads: NamedThread[] = [];
  if (opts.databaseUrl) {
    health = new StorageHealth({ kind: 'quiet' });
    const { dialect } = postgresDialect(opts.databaseUrl, { searchPath: opts.pgSchema, onQueryError: health.noteError });
    db = new Kysely<Database>({ dialect });
    // Erased rows of this database are ciphertext whose keys were destroyed in the key store: the VACUUM that matters is there.
    mainAfterErase = async () => {};
  } else {
    const file = opts.sqliteFile ?? join(opts.dataDir, 'parley.sqlite');
    health = new StorageHealth({ kind: 'directory', dir: dirname(file) });
    writer = opts.writerThread ? new SqliteWriter(file, opts.writerThread, health.noteError) : null;
    const checkpointer = threadCounters();
    const sqlite = new Kysely<Database>({ dialect: sqliteDialect(file, writer, health.noteError, checkpointer) });
    if (writer) threads.push({ name: 'sqlite_writer', counters: writer.counters });
    threads.push({ name: 'sqlite_checkpointer', counters: checkpointer });
    db = sqlite;
    mainAfterErase = () => sqliteAfterErase(sqlite);
  }
  let keys: KeyStore;
  try {
    // PostgreSQL (or the key store's database) may still be starting, or down, when a node boots.
    keys = await waitForDatabase(
      async () => {
        await migrate(db, opts.databaseUrl ? opts.pgSchema : undefined);
        return openKeyStore({
          databaseUrl: opts.databaseUrl,
          keystoreUrl: opts.keystoreUrl,
          dataDir: opts.dataDir,
          pgSchema: opts.pgSchema,
          keystorePgSchema: opts.keystorePgSchema,
          keystoreFile: opts.keystoreFile,
          onQueryError: health.noteError,
        });
      },
      { waitMs: opts.databaseUrl ? (opts.waitMs ?? 0) : 0, onWait: opts.onWait },
    );
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }
  return {
    db,
    dialect: opts.databaseUrl ? 'postgres' : 'sqlite',
    isUniqueViolation: opts.databaseUrl ? isPostgresUniqueViolation : isSqliteUniqueViolation,
    writer,
    threads,
    keys,
    health,
    async afterErase() {
      await keys.afterErase();
      await mainAfterErase();
    },
    async close() {
      health.close();
      await writer?.close();
      await Promise.all([db.destroy(), keys.close()]);
    },
  };
}

export async function migrate(db: Db, pgSchema?: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in `public` unless told the schema in use.
  const migrator = new Migrator({ db, provider: migrationProvider, ...(pgSchema ? { migrationTableSchema: pgSchema } : {}) });
  const { error, results } = await retryWhileSchemasChange(() => migrator.migrateToLatest());
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
