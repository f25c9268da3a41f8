import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Issue 21: a message's seq bump on PostgreSQL as a HOT update (heap-only tuple: no new entry in any
 * index of conversations). An update is HOT only if no indexed column changes and the new row
 * version fits on the same page. The message path no longer moves `updated_at` (in the inbox index)
 * on every message, only when it is a second old (commands/messageStore.ts, messageInsertBatched.ts);
 * and conversations' pages now keep 15 % free for the new row versions (fillfactor; pages written
 * from now on, and all of them after a VACUUM FULL or pg_repack). SQLite has no such setting: there the
 * bump no longer rewrites the inbox index entry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`alter table conversations set (fillfactor = 85)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`alter table conversations reset (fillfactor)`.execute(db);
}
