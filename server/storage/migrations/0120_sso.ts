import type { Kysely } from 'kysely';

/**
 * Issue 20 item 5: single sign-on for agents (OpenID Connect) and SCIM provisioning.
 * - tenant_sso: one OpenID provider per tenant. client_secret is sealed under the tenant's data key
 *   (sealedFields.ts, AAD `<tenant>|tenant_sso.client_secret|<tenant>`), key_version names that key
 *   so the retention job keeps it alive. break_glass: JSON array of agent ids allowed to sign in with
 *   a password (and two-factor) while require_sso is on.
 * - agent_sso_links: which IdP subject (issuer + sub) is which agent; unique per tenant, so an IdP
 *   account maps to one agent, and an agent is never found through another tenant's IdP.
 * - sso_login_states: an authorization request in flight (state, nonce, PKCE verifier), bound to the
 *   browser that started it by a cookie whose SHA-256 is stored; single use, minutes long.
 * - scim_tokens: the SHA-256 of a tenant's SCIM bearer token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_sso')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text')
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0))
    /** JSON array of lowercase email domains allowed to sign in. */
    .addColumn('allowed_domains', 'text', (c) => c.notNull())
    .addColumn('role_claim', 'text', (c) => c.notNull())
    /** JSON { admin: string[], supervisor: string[], agent: string[] }: claim values per role. */
    .addColumn('role_mapping', 'text', (c) => c.notNull())
    /** Role of a user none of whose claim values is mapped; null: such a user is refused. */
    .addColumn('default_role', 'text')
    .addColumn('require_sso', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('break_glass', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agent_sso_links')
    .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .addUniqueConstraint('agent_sso_links_subject', ['tenant_id', 'issuer', 'subject'])
    .execute();

  await db.schema
    .createTable('sso_login_states')
    /** SHA-256 of the state parameter. */
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    /** SHA-256 of the browser-binding cookie. */
    .addColumn('binding', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_login_states_expiry').on('sso_login_states').column('expires_at').execute();

  await db.schema
    .createTable('scim_tokens')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['scim_tokens', 'sso_login_states', 'agent_sso_links', 'tenant_sso']) await db.schema.dropTable(t).execute();
}
