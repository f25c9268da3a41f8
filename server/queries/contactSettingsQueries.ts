/** Per-tenant contact-centre settings and the default team. Always scoped to one tenant. */
import type { Db } from '../storage/db.js';
import type { Team } from '../storage/schema.js';

export async function contactSettings(db: Db, tenantId: string): Promise<{ botEnabled: boolean; identitySecret: string | null }> {
  const row = await db.selectFrom('tenant_contact_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
  return { botEnabled: row?.bot_enabled === 1, identitySecret: row?.identity_secret ?? null };
}

/** The bot answers when the tenant enabled it and wrote at least one article. */
export async function botActiveFor(db: Db, tenantId: string): Promise<boolean> {
  const { botEnabled } = await contactSettings(db, tenantId);
  if (!botEnabled) return false;
  return !!(await db.selectFrom('kb_articles').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst());
}

/** Where new conversations go: the team marked default, else the oldest team, else none. */
export async function defaultTeam(db: Db, tenantId: string): Promise<Team | null> {
  const row = await db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).orderBy('is_default', 'desc').orderBy('created_at', 'asc').limit(1).executeTakeFirst();
  return row ?? null;
}
