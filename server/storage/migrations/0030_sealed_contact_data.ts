import type { Kysely } from 'kysely';

/**
 * Encryption at rest of the contact-centre tables (issues 4 and 5): satisfaction_ratings.comment,
 * visitor_context.user_id / pages and attachments.filename (with the file bytes on disk) are sealed
 * (security/sealedFields.ts). key_version is the DEK version of the row's sealed fields (0: nothing
 * sealed), so the retention job keeps a version alive while any of these rows still uses it.
 */
const TABLES = ['satisfaction_ratings', 'visitor_context', 'attachments'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    await db.schema.alterTable(table).addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.createIndex(`${table}_tenant_key`).on(table).columns(['tenant_id', 'key_version']).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    await db.schema.dropIndex(`${table}_tenant_key`).execute();
    await db.schema.alterTable(table).dropColumn('key_version').execute();
  }
}
