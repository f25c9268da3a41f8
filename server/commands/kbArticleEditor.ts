/** Knowledge-base articles the bot answers from, and the tenant's bot and identity settings. Admins only. */
import type { ArticleBody, ArticleView, ContactSettingsBody, ContactSettingsView } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { assertAdmin } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentArticle } from '../presenters/presenters.js';
import { newId, randomToken } from '../security/ids.js';
import { contactSettings } from '../queries/contactSettingsQueries.js';

export async function saveArticle(ctx: Ctx, agent: Agent, id: string | null, body: ArticleBody): Promise<ArticleView> {
  assertAdmin(agent, 'edit the knowledge base');
  const db = ctx.storage.db;
  const now = Date.now();
  if (id) {
    assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('kb_articles').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'article');
    await db.updateTable('kb_articles').set({ title: body.title.trim(), body: body.body, updated_at: now }).where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
  } else {
    id = newId('kb');
    await db.insertInto('kb_articles').values({ id, tenant_id: agent.tenant_id, title: body.title.trim(), body: body.body, created_at: now, updated_at: now }).execute();
  }
  return presentArticle(await db.selectFrom('kb_articles').selectAll().where('id', '=', id).where('tenant_id', '=', agent.tenant_id).executeTakeFirstOrThrow());
}

export async function deleteArticle(ctx: Ctx, agent: Agent, id: string): Promise<void> {
  assertAdmin(agent, 'edit the knowledge base');
  const db = ctx.storage.db;
  assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('kb_articles').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'article');
  await db.deleteFrom('kb_articles').where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
}

/** Turns the bot on or off and (re)creates the identity secret, which is returned once. */
export async function saveContactSettings(ctx: Ctx, agent: Agent, body: ContactSettingsBody): Promise<ContactSettingsView> {
  assertAdmin(agent, 'change contact-centre settings');
  const db = ctx.storage.db;
  const now = Date.now();
  const secret = body.rotateIdentitySecret ? 'ids_' + randomToken(32) : undefined;
  await db
    .insertInto('tenant_contact_settings')
    .values({ tenant_id: agent.tenant_id, identity_secret: secret ?? null, bot_enabled: body.botEnabled ? 1 : 0, updated_at: now })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        updated_at: now,
        ...(body.botEnabled !== undefined ? { bot_enabled: body.botEnabled ? 1 : 0 } : {}),
        ...(secret ? { identity_secret: secret } : {}),
      }),
    )
    .execute();
  const s = await contactSettings(db, agent.tenant_id);
  return { botEnabled: s.botEnabled, hasIdentitySecret: !!s.identitySecret, ...(secret ? { identitySecret: secret } : {}) };
}
