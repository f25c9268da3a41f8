/** The agent's side panel: identity, pages seen, the same visitor's other conversations and the rating. */
import type { PageContextView, VisitorContextView } from '../../protocol/contactCentre.js';
import type { Readers } from './conversationQueries.js';
import { conversationViews } from './conversationQueries.js';
import { openField, openNullable } from '../security/sealedFields.js';
import type { StoredPageContext } from '../security/pageContext.js';

export async function visitorContext(readers: Readers, tenantId: string, visitorId: string, conversationId: string): Promise<VisitorContextView> {
  const db = readers.storage.db;
  const [ctxRow, others, rating] = await Promise.all([
    db.selectFrom('visitor_context').selectAll().where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).executeTakeFirst(),
    db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).where('id', '!=', conversationId).orderBy('created_at', 'desc').limit(20).execute(),
    db.selectFrom('satisfaction_ratings').select(['rating', 'comment']).where('tenant_id', '=', tenantId).where('conversation_id', '=', conversationId).executeTakeFirst(),
  ]);
  const history = await conversationViews(readers, tenantId, others);
  // Sealed at rest (security/sealedFields.ts); a page list under a destroyed key reads as empty.
  const pages = ctxRow ? await openField(readers.keyring, tenantId, 'visitor_context', 'pages', visitorId, ctxRow.pages).catch(() => '[]') : '[]';
  const userId = ctxRow ? await openNullable(readers.keyring, tenantId, 'visitor_context', 'user_id', visitorId, ctxRow.user_id) : null;
  const pageContext = ctxRow ? await openPageContext(readers, tenantId, visitorId, ctxRow.page_context) : null;
  const comment = rating ? await openNullable(readers.keyring, tenantId, 'satisfaction_ratings', 'comment', conversationId, rating.comment) : null;
  return {
    visitorId,
    identity: ctxRow && userId ? { userId, verified: ctxRow.verified === 1 } : null,
    pagesSeen: ctxRow ? (JSON.parse(pages) as Array<{ url: string; at: number }>).map((p) => ({ url: p.url, at: new Date(p.at).toISOString() })) : [],
    pageContext,
    history: history.map((c) => ({ id: c.id, status: c.status, createdAt: c.createdAt, lastMessage: c.lastMessage?.body ?? null })),
    rating: rating ? { rating: rating.rating, comment } : null,
  };
}

/** The page's own context (security/pageContext.ts), opened; null when none or its key is gone. */
export async function openPageContext(readers: Pick<Readers, 'keyring'>, tenantId: string, visitorId: string, sealed: string | null | undefined): Promise<PageContextView | null> {
  const json = sealed ? await openNullable(readers.keyring, tenantId, 'visitor_context', 'page_context', visitorId, sealed).catch(() => null) : null;
  if (!json) return null;
  const c = JSON.parse(json) as StoredPageContext;
  return { page: c.page, pageVerified: c.pageVerified, attributes: c.attributes, at: new Date(c.at).toISOString() };
}

export interface StoredVisitorContext {
  userId: string | null;
  identityVerified: boolean;
  pagesSeen: Array<{ url: string; at: string }>;
  pageContext: PageContextView | null;
}
export interface StoredRating {
  rating: number;
  comment: string | null;
  createdAt: string;
}
export interface StoredAttachment {
  id: string;
  name: string | null;
  type: string;
  size: number;
  uploaderKind: 'visitor' | 'agent';
  createdAt: string;
}

/**
 * The contact-centre data stored about visitors and their conversations, opened: visitor context
 * (claimed user id, pages seen), satisfaction ratings and the list of attachments. For the GDPR
 * export and the exposure report. A value whose key was destroyed reads as null (or no pages).
 */
export async function contactDataOf(readers: Readers, tenantId: string, visitorIds: readonly string[], conversationIds: readonly string[]) {
  const db = readers.storage.db;
  const { keyring } = readers;
  const contexts = new Map<string, StoredVisitorContext>();
  const ratings = new Map<string, StoredRating>();
  const attachments = new Map<string, StoredAttachment[]>();
  for (let i = 0; i < visitorIds.length; i += 500) {
    const rows = await db.selectFrom('visitor_context').selectAll().where('tenant_id', '=', tenantId).where('visitor_id', 'in', visitorIds.slice(i, i + 500)).execute();
    for (const r of rows) {
      const pages = await openField(keyring, tenantId, 'visitor_context', 'pages', r.visitor_id, r.pages).catch(() => '[]');
      contexts.set(r.visitor_id, {
        userId: await openNullable(keyring, tenantId, 'visitor_context', 'user_id', r.visitor_id, r.user_id),
        identityVerified: r.verified === 1,
        pagesSeen: (JSON.parse(pages) as Array<{ url: string; at: number }>).map((p) => ({ url: p.url, at: new Date(p.at).toISOString() })),
        pageContext: await openPageContext(readers, tenantId, r.visitor_id, r.page_context),
      });
    }
  }
  for (let i = 0; i < conversationIds.length; i += 500) {
    const chunk = conversationIds.slice(i, i + 500);
    for (const r of await db.selectFrom('satisfaction_ratings').selectAll().where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).execute()) {
      ratings.set(r.conversation_id, {
        rating: r.rating,
        comment: await openNullable(keyring, tenantId, 'satisfaction_ratings', 'comment', r.conversation_id, r.comment),
        createdAt: new Date(Number(r.created_at)).toISOString(),
      });
    }
    for (const a of await db.selectFrom('attachments').selectAll().where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).orderBy('created_at').execute()) {
      const list = attachments.get(a.conversation_id) ?? [];
      attachments.set(a.conversation_id, list);
      list.push({
        id: a.id,
        name: await openNullable(keyring, tenantId, 'attachments', 'filename', a.id, a.filename),
        type: a.content_type,
        size: a.size,
        uploaderKind: a.uploader_kind,
        createdAt: new Date(Number(a.created_at)).toISOString(),
      });
    }
  }
  return { contexts, ratings, attachments };
}
