import type { Kysely } from 'kysely';

/**
 * Issue 20 item 2: agent productivity.
 * - conversations.priority: 0 low, 1 normal (default), 2 high, 3 urgent (an integer so lists sort by it).
 * - conversations.snoozed: 1 while snoozed (out of the open lists); snoozed_until: when it comes back
 *   by itself (null while snoozed: on the visitor's next message only). Either way the visitor's next
 *   message wakes it (commands/conversationSnoozer.ts).
 * - labels: tenant-defined, unique per tenant by name_key (lowercased name).
 * - conversation_labels: which labels a conversation carries; cascades with either side.
 * - macros: a saved sequence of actions (JSON, protocol/productivity.ts), applied in one transaction.
 * - mentions: an agent @named in a private note; read_at once they opened it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('conversations').addColumn('snoozed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('conversations').addColumn('snoozed_until', 'bigint').execute();
  await db.schema.createIndex('conversations_snoozed').on('conversations').columns(['snoozed', 'snoozed_until']).execute();

  await db.schema
    .createTable('labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('labels_tenant_name', ['tenant_id', 'name_key'])
    .execute();

  await db.schema
    .createTable('conversation_labels')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('label_id', 'text', (c) => c.notNull().references('labels.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_labels_pk', ['conversation_id', 'label_id'])
    .execute();
  await db.schema.createIndex('conversation_labels_label').on('conversation_labels').columns(['tenant_id', 'label_id']).execute();

  await db.schema
    .createTable('macros')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('macros_tenant_name', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('mentions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('by_agent_id', 'text', (c) => c.notNull())
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .addUniqueConstraint('mentions_message_agent', ['message_id', 'agent_id'])
    .execute();
  await db.schema.createIndex('mentions_agent').on('mentions').columns(['tenant_id', 'agent_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['mentions', 'macros', 'conversation_labels', 'labels']) await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('conversations_snoozed').execute();
  for (const c of ['snoozed_until', 'snoozed', 'priority']) await db.schema.alterTable('conversations').dropColumn(c).execute();
}
