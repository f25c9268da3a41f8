import type { Kysely } from 'kysely';

/**
 * The wrapped tenant keys move to the key store (storage/keyStore.ts: DATA_DIR/keystore.sqlite, or
 * KEYSTORE_URL / schema parley_keys on PostgreSQL), so a copy of this database never holds them and a
 * deleted tenant's data in such a copy stays unreadable with the unchanged MASTER_KEY.
 * Nothing was released with `tenant_keys` here, so the table is dropped without moving its rows; the
 * key store creates its own table when it opens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tenant_keys').ifExists().execute();
}

/** Recreates the empty table of 0004 (keys are not brought back from the key store). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('wrapped_key', 'text')
    .addColumn('master_key_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('destroyed_at', 'bigint')
    .addPrimaryKeyConstraint('tenant_keys_pk', ['tenant_id', 'purpose', 'version'])
    .execute();
}
