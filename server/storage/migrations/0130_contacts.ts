import { sql, type Kysely } from 'kysely';

/**
 * Issue 20 item 1: contacts as first-class records, and conversations that follow the customer.
 * - contacts: one customer of a tenant. A verified shopper's contact has `user_key`, the blind-index
 *   token (HMAC under the tenant's search key, security/blindIndex.ts) of the user id the tenant's
 *   backend vouched for, unique per tenant, so every device that proves the same identity finds the
 *   same contact; an anonymous contact has none and stays with its one browser. `user_id` (the id
 *   itself) and `attributes` (JSON) are sealed under the tenant's data key (`key_version`).
 * - contact_notes: agents' notes about a contact; `body` sealed (redacted first), like messages.
 * - visitors.contact_id: the contact a visitor (one browser) belongs to. Conversations stay owned by
 *   the visitor that started them; a contact's conversations are those of its visitors.
 * - visitors.contact_shared: 1 when this browser proved the contact's verified identity in its
 *   session; only such browsers see each other's conversations (a browser an agent merged into a
 *   contact is the agent's view of one customer, never a door to the shopper's other devices).
 * Existing visitors each get an anonymous contact of their own (`ct_` + visitor id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_key', 'text')
    .addColumn('user_id', 'text')
    .addColumn('attributes', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('contacts_user_key').on('contacts').columns(['tenant_id', 'user_key']).unique().execute();
  await db.schema.createIndex('contacts_updated').on('contacts').columns(['tenant_id', 'updated_at']).execute();

  await db.schema
    .createTable('contact_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('contact_notes_contact').on('contact_notes').columns(['tenant_id', 'contact_id', 'created_at']).execute();

  await db.schema.alterTable('visitors').addColumn('contact_id', 'text').execute();
  await db.schema.alterTable('visitors').addColumn('contact_shared', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('visitors_contact').on('visitors').columns(['tenant_id', 'contact_id']).execute();
  await sql`INSERT INTO contacts (id, tenant_id, user_key, user_id, attributes, created_at, updated_at, key_version)
            SELECT 'ct_' || id, tenant_id, NULL, NULL, NULL, created_at, last_seen_at, 0 FROM visitors`.execute(db);
  await sql`UPDATE visitors SET contact_id = 'ct_' || id WHERE contact_id IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('visitors_contact').execute();
  await db.schema.alterTable('visitors').dropColumn('contact_shared').execute();
  await db.schema.alterTable('visitors').dropColumn('contact_id').execute();
  await db.schema.dropTable('contact_notes').execute();
  await db.schema.dropTable('contacts').execute();
}
