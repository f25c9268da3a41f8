import type { MessageView } from '../../protocol/records.js';
import { LIMITS } from '../../protocol/limits.js';
import type { Db } from '../storage/db.js';
import { presentMessage } from '../presenters/presenters.js';

/** Messages with seq > afterSeq, oldest first. Visitors never receive private notes. */
export async function messagesAfter(
  db: Db,
  tenantId: string,
  conversationId: string,
  afterSeq: number,
  opts: { includeInternal: boolean; limit?: number },
): Promise<{ items: MessageView[]; more: boolean }> {
  const limit = Math.min(opts.limit ?? LIMITS.historyPageSize, LIMITS.historyPageSize);
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq);
  if (!opts.includeInternal) q = q.where('internal', '=', 0);
  const rows = await q.orderBy('seq', 'asc').limit(limit + 1).execute();
  return { items: rows.slice(0, limit).map(presentMessage), more: rows.length > limit };
}
