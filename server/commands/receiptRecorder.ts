/**
 * Delivery and read state. Each side reports up to which seq it has received messages on a socket
 * and seen them; the conversation keeps one forward-only watermark per side, and the other side is
 * told. Per-message state follows: a message of the agent is "read" when seq ≤ visitorRead.
 */
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { visitorMaySee } from '../queries/contactQueries.js';

export type ReceiptReader = { kind: 'visitor'; tenantId: string; visitorId: string } | { kind: 'agent'; tenantId: string };

export async function recordReceipt(
  ctx: Ctx,
  reader: ReceiptReader,
  conversationId: string,
  marks: { deliveredSeq?: number; readSeq?: number },
): Promise<{ deliveredSeq: number; readSeq: number } | null> {
  const db = ctx.storage.db;
  const conv = assertSameTenant(reader, await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst(), 'conversation');
  // A visitor reads their own conversations and, for a verified shopper, those of their other devices (issue 20).
  if (reader.kind === 'visitor' && conv.visitor_id !== reader.visitorId && !(await visitorMaySee(ctx, reader.tenantId, reader.visitorId, conv.id))) throw new AppError('not_found', 'conversation not found');
  const side = reader.kind;
  const oldDelivered = side === 'visitor' ? conv.visitor_delivered_seq : conv.agent_delivered_seq;
  const oldRead = side === 'visitor' ? conv.visitor_read_seq : conv.agent_read_seq;
  const cap = (n: number | undefined) => Math.min(conv.last_seq, Math.max(0, n ?? 0));
  const readSeq = Math.max(oldRead, cap(marks.readSeq));
  const deliveredSeq = Math.max(oldDelivered, cap(marks.deliveredSeq), readSeq);
  if (readSeq === oldRead && deliveredSeq === oldDelivered) return null;
  const cols = side === 'visitor' ? { d: 'visitor_delivered_seq', r: 'visitor_read_seq' } as const : { d: 'agent_delivered_seq', r: 'agent_read_seq' } as const;
  // Forward-only even when two sockets of the same side report at once.
  await db
    .updateTable('conversations')
    .set({ [cols.d]: deliveredSeq, [cols.r]: readSeq })
    .where('id', '=', conv.id)
    .where('tenant_id', '=', reader.tenantId)
    .where(cols.d, '<=', deliveredSeq)
    .where(cols.r, '<=', readSeq)
    .execute();
  await ctx.bus.publish({ type: 'receipt', tenantId: reader.tenantId, visitorId: conv.visitor_id, conversationId: conv.id, by: side, deliveredSeq, readSeq });
  return { deliveredSeq, readSeq };
}
