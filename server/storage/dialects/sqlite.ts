import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect, sql, type Kysely } from 'kysely';

/** Embedded default: one file, WAL so readers never block the writer, full sync so an acked commit survives a crash. */
export function sqliteDialect(file: string): SqliteDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the transaction returns, so an ack never outlives a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted rows (erased visitors, destroyed keys) are overwritten with zeros, not left in free pages.
  db.pragma('secure_delete = ON');
  return new SqliteDialect({ database: db });
}

export function isSqliteUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * After crypto-shredding: move the WAL into the database and truncate it, so no page image holding a
 * destroyed wrapped key survives in the -wal file (secure_delete already zeroes the freed pages).
 */
export async function sqliteAfterErase(db: Kysely<any>): Promise<void> {
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}
