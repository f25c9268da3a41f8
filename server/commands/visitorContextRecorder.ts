/**
 * What the agent sees about a visitor beyond the pre-chat form: the pages they opened the widget on
 * (last 20), the identity the tenant's page claims for them, verified or not, and the page's own
 * context (page name and attributes, verified when signed: security/pageContext.ts).
 */
import type { IdentityClaim, PageContextClaim } from '../../protocol/contactCentre.js';
import { checkPageContext } from '../security/pageContext.js';
import type { Ctx } from '../context.js';
import { contactSettings } from '../queries/contactSettingsQueries.js';
import { checkIdentity } from '../security/visitorIdentity.js';
import { openField, openNullable, sealNullable } from '../security/sealedFields.js';
import { redactString } from '../security/sinkRedaction.js';

const MAX_PAGES = 20;

export async function recordVisitorContext(ctx: Ctx, tenantId: string, visitorId: string, seen: { page?: string; identity?: IdentityClaim; context?: PageContextClaim }): Promise<void> {
  const db = ctx.storage.db;
  const now = Date.now();
  const row = await db.selectFrom('visitor_context').selectAll().where('visitor_id', '=', visitorId).where('tenant_id', '=', tenantId).executeTakeFirst();
  // Pages seen are visitor personal data: sealed at rest (security/sealedFields.ts).
  let pages = row ? (JSON.parse(await openField(ctx.keyring, tenantId, 'visitor_context', 'pages', visitorId, row.pages).catch(() => '[]')) as Array<{ url: string; at: number }>) : [];
  const url = seen.page ? redactString(seen.page).slice(0, 2000) : undefined;
  if (url && pages[pages.length - 1]?.url !== url) pages = [...pages, { url, at: now }].slice(-MAX_PAGES);
  let identity: { user_id: string | null; verified: number } | null = null;
  const secret = seen.identity || seen.context ? (await contactSettings(db, tenantId)).identitySecret : null;
  if (seen.identity) {
    const checked = checkIdentity(secret, seen.identity, now, ctx.env.identityJwt);
    // The user id comes from the tenant's page (or a JWT's sub): redacted like anything typed.
    identity = checked ? { user_id: redactString(checked.userId), verified: checked.verified ? 1 : 0 } : { user_id: null, verified: 0 };
  }
  // The claimed user id is personal data too. Both fields are (re)sealed with one key version, the row's key_version.
  const userId = identity ? identity.user_id : row ? await openNullable(ctx.keyring, tenantId, 'visitor_context', 'user_id', visitorId, row.user_id) : null;
  const dk = await ctx.keyring.dataKey(tenantId);
  const sealedPages = sealNullable(dk, tenantId, 'visitor_context', 'pages', visitorId, JSON.stringify(pages))!;
  const sealedUserId = sealNullable(dk, tenantId, 'visitor_context', 'user_id', visitorId, userId);
  // The page's context replaces the last one (it says where the shopper is now); kept when not sent.
  const pageContext = seen.context
    ? JSON.stringify(checkPageContext(secret, seen.context, now, ctx.env.identityJwt))
    : row?.page_context
      ? await openNullable(ctx.keyring, tenantId, 'visitor_context', 'page_context', visitorId, row.page_context).catch(() => null)
      : null;
  const sealedContext = sealNullable(dk, tenantId, 'visitor_context', 'page_context', visitorId, pageContext);
  if (row) {
    await db
      .updateTable('visitor_context')
      .set({ pages: sealedPages, user_id: sealedUserId, page_context: sealedContext, key_version: dk.version, updated_at: now, ...(identity ? { verified: identity.verified } : {}) })
      .where('visitor_id', '=', visitorId)
      .where('tenant_id', '=', tenantId)
      .execute();
  } else {
    await db
      .insertInto('visitor_context')
      .values({ visitor_id: visitorId, tenant_id: tenantId, pages: sealedPages, page_context: sealedContext, updated_at: now, user_id: sealedUserId, verified: identity?.verified ?? 0, key_version: dk.version })
      .onConflict((oc) => oc.column('visitor_id').doNothing())
      .execute();
  }
}
