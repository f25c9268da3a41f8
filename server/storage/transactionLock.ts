import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Serialises the transactions that name the same keys, until each commits or rolls back: for a
 * check-then-insert that must not run twice at once (e.g. a per-visitor limit, where there may be no
 * row yet to lock with SELECT … FOR UPDATE).
 *
 * PostgreSQL: one transaction-scoped advisory lock per key (64-bit hash of the key), taken in sorted
 * order so two transactions naming overlapping keys never wait for each other in a cycle; released by
 * the commit or rollback, so nothing can leak it. SQLite: nothing to take — its one connection runs
 * one transaction at a time (dialects/sqlite.ts), which already serialises them.
 */
export async function lockKeys(trx: Transaction<Database>, dialect: 'sqlite' | 'postgres', keys: string[]): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const key of [...new Set(keys)].sort()) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
