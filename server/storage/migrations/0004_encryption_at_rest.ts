import { sql, type Kysely } from 'kysely';

/**
 * Encryption at rest, blind-index search, retention and tenant redaction patterns (issue 4).
 * - tenant_keys: per-tenant data keys (DEKs), each wrapped by the master key; one row per version and
 *   purpose ('data' encrypts fields, 'search' keys the blind index). Destroying a key nulls
 *   wrapped_key and sets destroyed_at; deleting a tenant deletes its rows (crypto-shredding).
 * - messages.key_version / visitors.key_version: the DEK version the row's sealed fields use, so the
 *   retention job can tell which versions still protect live data.
 * - message_search: keyed blind-index tokens (HMAC of normalised words), never the words.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
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

  await db.schema.alterTable('messages').addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('visitors').addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('messages_tenant_key').on('messages').columns(['tenant_id', 'key_version']).execute();
  await db.schema.createIndex('visitors_tenant_key').on('visitors').columns(['tenant_id', 'key_version']).execute();

  await db.schema
    .alterTable('tenants')
    .addColumn('retention_days', 'integer', (c) => c.notNull().defaultTo(365))
    .execute();
  await db.schema
    .alterTable('tenants')
    .addColumn('redaction_patterns', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute();

  await db.schema
    .createTable('message_search')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_search_pk', ['message_id', 'token'])
    .execute();
  await db.schema.createIndex('message_search_token').on('message_search').columns(['tenant_id', 'token', 'conversation_id']).execute();
  await db.schema.createIndex('message_search_conversation').on('message_search').column('conversation_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_search').execute();
  await db.schema.dropTable('tenant_keys').execute();
}
