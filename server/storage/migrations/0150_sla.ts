import type { Kysely } from 'kysely';

/**
 * Issue 20 item 3: service levels.
 * - sla_policies: a team's targets in minutes (null: not measured), counted in the team's business
 *   hours when business_hours = 1. One policy per team (unique team_id).
 * - conversation_sla: one row per conversation measured by a policy, with its deadlines (epoch ms).
 *   *_breached_at is set once, by a conditional UPDATE (`… IS NULL`), which is what lets only one
 *   node raise the breach event when several run the SLA job. next_response_* is the current reply
 *   cycle (a visitor message after an agent reply); next_met / next_breached count cycles.
 *   closed_at: the conversation was resolved, every running clock stopped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.notNull().unique().references('teams.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'integer')
    .addColumn('next_response_minutes', 'integer')
    .addColumn('resolution_minutes', 'integer')
    .addColumn('business_hours', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sla_policies_tenant').on('sla_policies').column('tenant_id').execute();

  await db.schema
    .createTable('conversation_sla')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('policy_id', 'text', (c) => c.notNull().references('sla_policies.id').onDelete('cascade'))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('first_response_due_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('first_response_breached_at', 'bigint')
    .addColumn('next_response_started_at', 'bigint')
    .addColumn('next_response_due_at', 'bigint')
    .addColumn('next_response_breached_at', 'bigint')
    .addColumn('next_met', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_breached', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('resolution_due_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolution_breached_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The breach job reads the tenant-wide open rows; reports read by tenant and start.
  await db.schema.createIndex('conversation_sla_open').on('conversation_sla').columns(['closed_at', 'tenant_id']).execute();
  await db.schema.createIndex('conversation_sla_tenant_started').on('conversation_sla').columns(['tenant_id', 'started_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversation_sla').execute();
  await db.schema.dropTable('sla_policies').execute();
}
