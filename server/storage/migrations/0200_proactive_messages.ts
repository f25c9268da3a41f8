import type { Kysely } from 'kysely';

/**
 * Issue 20 item 4: proactive messages.
 * - proactive_rules: the tenant's rules (page name, seconds on page, a page attribute and its value,
 *   verified only, audience) and the text shown, with its per-visitor cooldown in hours.
 * - proactive_deliveries: one row per message shown to a visitor (the shown / opened / replied
 *   counts, and the per-visitor limits). visitor_key is the random id the frame keeps for the browser;
 *   visitor_id the visitor (session) when known. Erasing the visitor erases its rows (cascade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('proactive_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('page', 'text')
    .addColumn('min_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attribute', 'text')
    .addColumn('value', 'text')
    .addColumn('verified_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('audience', 'text', (c) => c.notNull().defaultTo('everyone'))
    .addColumn('cooldown_hours', 'integer', (c) => c.notNull().defaultTo(24))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('proactive_rules_tenant').on('proactive_rules').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('proactive_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('rule_id', 'text', (c) => c.notNull().references('proactive_rules.id').onDelete('cascade'))
    .addColumn('visitor_key', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'text', (c) => c.references('visitors.id').onDelete('cascade'))
    .addColumn('shown_at', 'bigint', (c) => c.notNull())
    .addColumn('opened_at', 'bigint')
    .addColumn('replied_at', 'bigint')
    .execute();
  // The per-visitor limits read a visitor's recent rows (by key, or by visitor); reports read by tenant and time.
  await db.schema.createIndex('proactive_deliveries_key').on('proactive_deliveries').columns(['tenant_id', 'visitor_key', 'shown_at']).execute();
  await db.schema.createIndex('proactive_deliveries_visitor').on('proactive_deliveries').columns(['visitor_id', 'shown_at']).execute();
  await db.schema.createIndex('proactive_deliveries_tenant').on('proactive_deliveries').columns(['tenant_id', 'shown_at']).execute();
  await db.schema.createIndex('proactive_deliveries_rule').on('proactive_deliveries').column('rule_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('proactive_deliveries').execute();
  await db.schema.dropTable('proactive_rules').execute();
}
