import type { Kysely } from 'kysely';

/**
 * Contact-centre capabilities (issue 5): teams (queues) and routing, agent presence (one row per
 * connected console socket, refreshed by a heartbeat, so every node sees the same presence), queue
 * and read-state columns on conversations, canned responses, satisfaction ratings (read by the
 * analytics of issue 6), knowledge-base articles, attachments, visitor identity and per-tenant
 * contact-centre settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    /** 'round_robin' | 'least_busy'. */
    .addColumn('strategy', 'text', (c) => c.notNull())
    /** New conversations of the tenant go to its default team. */
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    /** JSON: { mon: [["09:00","17:00"]], ... }; null = always open. */
    .addColumn('weekly_hours', 'text')
    /** JSON array of YYYY-MM-DD dates (in the team's time zone) when the team is closed. */
    .addColumn('holidays', 'text', (c) => c.notNull())
    /** Where "leave a message" emails go; null = every member's address. */
    .addColumn('notify_email', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('teams_tenant').on('teams').column('tenant_id').execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'agent_id'])
    .execute();
  await db.schema.createIndex('team_members_agent').on('team_members').column('agent_id').execute();

  await db.schema
    .createTable('agent_presence')
    .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    /** What the agent chose: 'online' | 'away'. Online also needs a live console socket. */
    .addColumn('status', 'text', (c) => c.notNull())
    /** Capacity: most open conversations assigned at once. */
    .addColumn('max_chats', 'integer', (c) => c.notNull())
    .addColumn('last_assigned_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('agent_sockets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_sockets_tenant').on('agent_sockets').columns(['tenant_id', 'heartbeat_at']).execute();

  /** One row per tenant: a routing pass updates it first, which serialises passes across nodes. */
  await db.schema
    .createTable('routing_locks')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();

  for (const [name, type] of [
    ['team_id', 'text'],
    ['queued_at', 'bigint'],
    ['assigned_at', 'bigint'],
    ['channel', 'text'],
  ] as const) {
    await db.schema.alterTable('conversations').addColumn(name, type).execute();
  }
  for (const name of ['bot_active', 'visitor_delivered_seq', 'visitor_read_seq', 'agent_delivered_seq', 'agent_read_seq']) {
    await db.schema.alterTable('conversations').addColumn(name, 'integer', (c) => c.notNull().defaultTo(0)).execute();
  }
  await db.schema.createIndex('conversations_queue').on('conversations').columns(['tenant_id', 'assignee_id', 'status', 'queued_at']).execute();

  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('canned_responses_shortcut', ['tenant_id', 'shortcut'])
    .execute();

  /** Read by issue 6's analytics: one rating per conversation, with who handled it. */
  await db.schema
    .createTable('satisfaction_ratings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().unique().references('conversations.id').onDelete('cascade'))
    .addColumn('visitor_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('satisfaction_ratings_tenant').on('satisfaction_ratings').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('kb_articles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_articles_tenant').on('kb_articles').column('tenant_id').execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('uploader_kind', 'text', (c) => c.notNull())
    .addColumn('uploader_id', 'text')
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_conversation').on('attachments').columns(['tenant_id', 'conversation_id']).execute();

  await db.schema
    .createTable('tenant_contact_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    /** Signs logged-in shoppers' identities (HMAC-SHA256 of the user id, or HS256 JWTs). */
    .addColumn('identity_secret', 'text')
    .addColumn('bot_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('visitor_context')
    .addColumn('visitor_id', 'text', (c) => c.primaryKey().references('visitors.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    /** The user id the tenant's page claims for this visitor, and whether its signature checked out. */
    .addColumn('user_id', 'text')
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    /** JSON array of { url, at } (last 20 pages). */
    .addColumn('pages', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['visitor_context', 'tenant_contact_settings', 'attachments', 'kb_articles', 'satisfaction_ratings', 'canned_responses', 'routing_locks', 'agent_sockets', 'agent_presence', 'team_members', 'teams']) {
    await db.schema.dropTable(t).execute();
  }
}
