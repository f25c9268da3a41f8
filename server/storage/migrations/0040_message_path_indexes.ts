import { sql, type Kysely } from 'kysely';

/**
 * The message path (issue 7, performance).
 *
 * - conversations (tenant_id, visitor_id, created_at): a visitor's hello and every visitor message
 *   look up the visitor's latest conversation (`WHERE tenant_id AND visitor_id ORDER BY created_at
 *   DESC LIMIT 1`); without it the engine walked conversations_visitor (visitor_id, status) and sorted.
 * - message_search becomes one row per (tenant, token, conversation) instead of one per (message,
 *   token). Search answers conversations ("a conversation matches when its messages contain every
 *   token") and messages are only ever deleted with their conversation or tenant, so results and
 *   erasure are unchanged; but a word already seen in the conversation costs an index lookup
 *   (INSERT … ON CONFLICT DO NOTHING) instead of three index insertions at random places, each a
 *   page written to the WAL at commit. message_id keeps the first message that had the word.
 *   The primary key (tenant_id, token, conversation_id) is the search index (covering).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('conversations_tenant_visitor_created').on('conversations').columns(['tenant_id', 'visitor_id', 'created_at']).execute();

  await db.schema
    .createTable('message_search_v2')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_search_v2_pk', ['tenant_id', 'token', 'conversation_id'])
    .execute();
  await sql`insert into message_search_v2 (tenant_id, token, conversation_id, message_id)
            select tenant_id, token, conversation_id, min(message_id) from message_search group by tenant_id, token, conversation_id`.execute(db);
  await db.schema.dropTable('message_search').execute();
  await db.schema.alterTable('message_search_v2').renameTo('message_search').execute();
  await db.schema.createIndex('message_search_v2_conversation').on('message_search').column('conversation_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_search').execute();
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
  await db.schema.dropIndex('conversations_tenant_visitor_created').execute();
}
