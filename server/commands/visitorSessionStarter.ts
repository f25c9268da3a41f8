import type { WidgetSessionBody, WidgetSession } from '../../protocol/http.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { newId } from '../security/ids.js';
import { findTenantByWidgetKey } from '../queries/tenantQueries.js';
import { contactSettings } from '../queries/contactSettingsQueries.js';
import { openVisitors, sealVisitor } from '../security/sealedFields.js';
import { checkIdentity } from '../security/visitorIdentity.js';
import { forgetVisitorNames } from '../queries/visitorNames.js';
import { redactString } from '../security/sinkRedaction.js';
import { contactUserKey, createAnonymousContact, publishLinked, userKeyOf, verifiedContact, verifyAnonymousContact } from './contactLinker.js';
import '../storage/contactSchema.js';

/**
 * Starts or resumes a visitor. A token from another tenant or with a bad signature is ignored and a
 * new visitor is created: the frame never learns whether the old id exists.
 *
 * Contacts (issue 20, commands/contactLinker.ts): a verified identity puts the visitor in that
 * shopper's contact (an anonymous visitor logging in is merged into it, audited); a visitor of a
 * verified contact is resumed only with the same verified identity, else a new visitor starts.
 */
export async function startVisitorSession(ctx: Ctx, body: WidgetSessionBody, userAgent: string | null, address: string | null = null): Promise<WidgetSession> {
  const db = ctx.storage.db;
  const tenant = await findTenantByWidgetKey(db, body.key);
  if (!tenant) throw new AppError('not_found', 'widget key not found');
  const now = Date.now();
  const claimed = body.token ? ctx.visitorTokens.verify(body.token) : null;
  // The shopper's identity counts only when the tenant's backend signed it; the id is redacted like anything sent.
  const checked = body.identity ? checkIdentity((await contactSettings(db, tenant.id)).identitySecret, body.identity, now, ctx.env.identityJwt) : null;
  const verifiedUser = checked?.verified ? redactString(checked.userId) : null;
  // Typed by the visitor (or sent by their browser): never stored with a card number in it.
  const profile = {
    ...(body.name !== undefined ? { name: redactString(body.name.trim()) || null } : {}),
    ...(body.email !== undefined ? { email: redactString(body.email.trim()) || null } : {}),
    ...(body.page !== undefined ? { current_page: redactString(body.page) || null } : {}),
    user_agent: userAgent ? redactString(userAgent).slice(0, 500) : null,
    last_seen_at: now,
    // The widget's language (not personal data: 'en' or 'fr'); server-made words follow it.
    ...(body.language ? { language: body.language } : {}),
  };
  // Personal data is stored sealed under the tenant's current data key (security/sealedFields.ts);
  // an update re-seals every field, so a row's fields always share its key_version.
  const dataKey = await ctx.keyring.dataKey(tenant.id);
  if (claimed && claimed.tenantId === tenant.id) {
    const row = await db.selectFrom('visitors').select(['id', 'tenant_id', 'name', 'email', 'current_page', 'user_agent', 'contact_id']).where('id', '=', claimed.visitorId).where('tenant_id', '=', tenant.id).executeTakeFirst();
    const contactKey = row?.contact_id ? await contactUserKey(ctx, tenant.id, row.contact_id) : null;
    // A browser of a verified contact continues only with that same proof (logged out, or someone else logged in: a new visitor).
    const sameShopper = !contactKey || (verifiedUser !== null && contactKey === (await userKeyOf(ctx, tenant.id, verifiedUser)));
    if (row && sameShopper) {
      const [current] = await openVisitors(ctx.keyring, [row]);
      const { last_seen_at, ...fields } = profile;
      const sealed = sealVisitor(dataKey, { ...current!, ...fields });
      let contactId = row.contact_id ?? null;
      if (verifiedUser && !contactKey) {
        // Logged in mid-conversation: the anonymous contact joins (or becomes) the shopper's verified one.
        const who = { kind: 'visitor' as const, tenantId: tenant.id, visitorId: row.id, address };
        contactId = contactId ? await verifyAnonymousContact(ctx, tenant.id, contactId, verifiedUser, who, now) : await verifiedContact(ctx, tenant.id, verifiedUser, now);
      }
      contactId ??= await createAnonymousContact(ctx, tenant.id, now);
      await db
        .updateTable('visitors')
        .set({ name: sealed.name, email: sealed.email, current_page: sealed.current_page, user_agent: sealed.user_agent, key_version: sealed.key_version, last_seen_at, contact_id: contactId, contact_shared: verifiedUser ? 1 : 0, ...(body.language ? { language: body.language } : {}) })
        .where('id', '=', claimed.visitorId)
        .where('tenant_id', '=', tenant.id)
        .execute();
      await db.updateTable('contacts').set({ updated_at: now }).where('tenant_id', '=', tenant.id).where('id', '=', contactId).execute();
      if (verifiedUser) await publishLinked(ctx, tenant.id, contactId);
      forgetVisitorNames(ctx, tenant.id, [claimed.visitorId]);
      return { token: body.token!, visitorId: claimed.visitorId };
    }
  }
  const id = newId('vis');
  const contactId = verifiedUser ? await verifiedContact(ctx, tenant.id, verifiedUser, now) : await createAnonymousContact(ctx, tenant.id, now);
  await db
    .insertInto('visitors')
    .values({ ...sealVisitor(dataKey, { id, tenant_id: tenant.id, name: null, email: null, current_page: null, created_at: now, ...profile }), contact_id: contactId, contact_shared: verifiedUser ? 1 : 0 })
    .execute();
  if (verifiedUser) {
    await db.updateTable('contacts').set({ updated_at: now }).where('tenant_id', '=', tenant.id).where('id', '=', contactId).execute();
    await publishLinked(ctx, tenant.id, contactId); // the shopper's other devices follow this browser's conversations too
  }
  return { token: ctx.visitorTokens.issue(tenant.id, id), visitorId: id };
}
