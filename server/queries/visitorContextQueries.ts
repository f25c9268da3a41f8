/** The agent's side panel: identity, pages seen, the same visitor's other conversations and the rating. */
import type { VisitorContextView } from '../../protocol/contactCentre.js';
import type { Readers } from './conversationQueries.js';
import { conversationViews } from './conversationQueries.js';
import { openField } from '../security/sealedFields.js';

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
  return {
    visitorId,
    identity: ctxRow?.user_id ? { userId: ctxRow.user_id, verified: ctxRow.verified === 1 } : null,
    pagesSeen: ctxRow ? (JSON.parse(pages) as Array<{ url: string; at: number }>).map((p) => ({ url: p.url, at: new Date(p.at).toISOString() })) : [],
    history: history.map((c) => ({ id: c.id, status: c.status, createdAt: c.createdAt, lastMessage: c.lastMessage?.body ?? null })),
    rating: rating ? { rating: rating.rating, comment: rating.comment } : null,
  };
}
