import type { Kysely } from 'kysely';

/**
 * Issue 6: API keys, invitations, TOTP two-factor, tenant widget settings and platform operators.
 * Kept in tables of their own so the shared tenants/agents rows are not widened. (Satisfaction
 * ratings, read by analytics, are issue 5's satisfaction_ratings table.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    /** First characters of the key, shown to recognise it. */
    .addColumn('prefix', 'text', (c) => c.notNull())
    /** SHA-256 of the whole key: a copy of the database holds no usable key. */
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    /** JSON array of scopes. */
    .addColumn('scopes', 'text', (c) => c.notNull())
    /** The agent the key acts as (its creator); the key stops working when that agent is disabled. */
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_tenant').on('api_keys').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text', (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('invitations_tenant').on('invitations').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('agent_totp')
    .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    /** AES-256-GCM of the base32 secret under a key derived from SECRET_KEY. */
    .addColumn('secret', 'text', (c) => c.notNull())
    /** Null while enrolment waits for a first valid code. */
    .addColumn('enabled_at', 'bigint')
    /** Last accepted 30-second step: a code is accepted once. */
    .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tenant_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('auto'))
    /** JSON array of { field, required }. */
    .addColumn('prechat_fields', 'text', (c) => c.notNull())
    .addColumn('require_totp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  /** Agents who may list and create tenants (see README, "Platform operator"). */
  await db.schema
    .createTable('platform_operators')
    .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Analytics scans conversations of a tenant by start time, and messages by conversation.
  await db.schema.createIndex('conversations_tenant_created').on('conversations').columns(['tenant_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_tenant_created').execute();
  for (const t of ['platform_operators', 'tenant_settings', 'agent_totp', 'invitations', 'api_keys']) await db.schema.dropTable(t).execute();
}
