/**
 * The storage entry point: opens SQLite (embedded default) or PostgreSQL (DATABASE_URL), runs
 * migrations, and exposes the one helper that differs between dialects.
 */
import { Kysely, Migrator } from 'kysely';
import { join } from 'node:path';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { isSqliteUniqueViolation, sqliteAfterErase, sqliteDialect } from './dialects/sqlite.js';
import { isPostgresUniqueViolation, postgresAfterErase, postgresDialect } from './dialects/postgres.js';

export type Db = Kysely<Database>;

export interface Storage {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  isUniqueViolation(err: unknown): boolean;
  /** After erasing data or destroying keys: flush what the engine may still hold of deleted rows. */
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
}

export async function openStorage(opts: StorageOptions): Promise<Storage> {
  let storage: Storage;
  if (opts.databaseUrl) {
    const { dialect } = postgresDialect(opts.databaseUrl, { searchPath: opts.pgSchema });
    const db = new Kysely<Database>({ dialect });
    storage = { db, dialect: 'postgres', isUniqueViolation: isPostgresUniqueViolation, afterErase: () => postgresAfterErase(db), close: () => db.destroy() };
  } else {
    const db = new Kysely<Database>({ dialect: sqliteDialect(opts.sqliteFile ?? join(opts.dataDir, 'parley.sqlite')) });
    storage = { db, dialect: 'sqlite', isUniqueViolation: isSqliteUniqueViolation, afterErase: () => sqliteAfterErase(db), close: () => db.destroy() };
  }
  await migrate(storage.db, opts.databaseUrl ? opts.pgSchema : undefined);
  return storage;
}

export async function migrate(db: Db, pgSchema?: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in `public` unless told the schema in use.
  const migrator = new Migrator({ db, provider: migrationProvider, ...(pgSchema ? { migrationTableSchema: pgSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
