/**
 * The visitor's satisfaction rating (1–5 with an optional comment) of a conversation, stored in
 * satisfaction_ratings with the agent and team who handled it, for reports (issue 6's analytics).
 * One rating per conversation; rating again replaces it. The comment is visitor text: redacted like a
 * message body (cards, tenant patterns) and sealed at rest (security/sealedFields.ts).
 */
import type { RatingBody } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { assertVisitorMaySee } from '../queries/contactQueries.js';
import { newId } from '../security/ids.js';
import { redact } from '../../protocol/redaction.js';
import { tenantPatterns } from '../security/redactionPatterns.js';
import { sealNullable } from '../security/sealedFields.js';

export async function rateConversation(ctx: Ctx, visitor: { tenantId: string; visitorId: string }, body: RatingBody): Promise<{ rating: number; comment: string | null }> {
  const db = ctx.storage.db;
  const conv = assertSameTenant(visitor, await db.selectFrom('conversations').selectAll().where('id', '=', body.conversationId).executeTakeFirst(), 'conversation');
  // Theirs, or of another browser of the same verified shopper (issue 20): the rule of reading and writing.
  await assertVisitorMaySee(ctx, visitor, conv.id);
  if (conv.last_seq === 0) throw new AppError('validation_failed', 'there is nothing to rate yet');
  const trimmed = body.comment?.trim();
  const comment = trimmed ? redact(trimmed, await tenantPatterns(ctx.storage, visitor.tenantId)).text || null : null;
  const now = Date.now();
  // Bound to the conversation (the row's unique key): an upsert keeps the first row's id.
  const dk = await ctx.keyring.dataKey(visitor.tenantId);
  const sealed = sealNullable(dk, visitor.tenantId, 'satisfaction_ratings', 'comment', conv.id, comment);
  await db
    .insertInto('satisfaction_ratings')
    .values({ id: newId('rat'), tenant_id: visitor.tenantId, conversation_id: conv.id, visitor_id: conv.visitor_id, agent_id: conv.assignee_id, team_id: conv.team_id ?? null, rating: body.rating, comment: sealed, created_at: now, key_version: dk.version })
    .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ rating: body.rating, comment: sealed, created_at: now, agent_id: conv.assignee_id, key_version: dk.version }))
    .execute();
  return { rating: body.rating, comment };
}
