import type { WidgetSessionBody, WidgetSession } from '../../protocol/http.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { newId } from '../security/ids.js';
import { findTenantByWidgetKey } from '../queries/tenantQueries.js';
import { openVisitors, sealVisitor } from '../security/sealedFields.js';
import { forgetVisitorNames } from '../queries/visitorNames.js';
import { redactString } from '../security/sinkRedaction.js';

/**
 * Starts or resumes a visitor. A token from another tenant or with a bad signature is ignored and a
 * new visitor is created: the frame never learns whether the old id exists.
 */
export async function startVisitorSession(ctx: Ctx, body: WidgetSessionBody, userAgent: string | null): Promise<WidgetSession> {
  const db = ctx.storage.db;
  const tenant = await findTenantByWidgetKey(db, body.key);
  if (!tenant) throw new AppError('not_found', 'widget key not found');
  const now = Date.now();
  const claimed = body.token ? ctx.visitorTokens.verify(body.token) : null;
  // Typed by the visitor (or sent by their browser): never stored with a card number in it.
  const profile = {
    ...(body.name !== undefined ? { name: redactString(body.name.trim()) || null } : {}),
    ...(body.email !== undefined ? { email: redactString(body.email.trim()) || null } : {}),
    ...(body.page !== undefined ? { current_page: redactString(body.page) || null } : {}),
    user_agent: userAgent ? redactString(userAgent.slice(0, 500)) : null,
    last_seen_at: now,
    // The widget's language (not personal data: 'en' or 'fr'); server-made words follow it.
    ...(body.language ? { language: body.language } : {}),
  };
  // Personal data is stored sealed under the tenant's current data key (security/sealedFields.ts);
  // an update re-seals every field, so a row's fields always share its key_version.
  const dataKey = await ctx.keyring.dataKey(tenant.id);
  if (claimed && claimed.tenantId === tenant.id) {
    const row = await db.selectFrom('visitors').select(['id', 'tenant_id', 'name', 'email', 'current_page', 'user_agent']).where('id', '=', claimed.visitorId).where('tenant_id', '=', tenant.id).executeTakeFirst();
    if (row) {
      const [current] = await openVisitors(ctx.keyring, [row]);
      const { last_seen_at, ...fields } = profile;
      const sealed = sealVisitor(dataKey, { ...current!, ...fields });
      await db
        .updateTable('visitors')
        .set({ name: sealed.name, email: sealed.email, current_page: sealed.current_page, user_agent: sealed.user_agent, key_version: sealed.key_version, last_seen_at, ...(body.language ? { language: body.language } : {}) })
        .where('id', '=', claimed.visitorId)
        .where('tenant_id', '=', tenant.id)
        .execute();
      forgetVisitorNames(ctx, tenant.id, [claimed.visitorId]);
      return { token: body.token!, visitorId: claimed.visitorId };
    }
  }
  const id = newId('vis');
  await db
    .insertInto('visitors')
    .values(sealVisitor(dataKey, { id, tenant_id: tenant.id, name: null, email: null, current_page: null, created_at: now, ...profile }))
    .execute();
  return { token: ctx.visitorTokens.issue(tenant.id, id), visitorId: id };
}
