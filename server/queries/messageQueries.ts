import type { MessageView } from '../../protocol/records.js';
import { LIMITS } from '../../protocol/limits.js';
import { presentMessage } from '../presenters/presenters.js';
import { openMessages } from '../security/sealedFields.js';
import type { Readers } from './conversationQueries.js';

/** Messages with seq > afterSeq, oldest first. Visitors never receive private notes. */
export async function messagesAfter(
  readers: Readers,
  tenantId: string,
  conversationId: string,
  afterSeq: number,
  opts: { includeInternal: boolean; limit?: number },
): Promise<{ items: MessageView[]; more: boolean }> {
  const limit = Math.min(opts.limit ?? LIMITS.historyPageSize, LIMITS.historyPageSize);
  let q = readers.storage.db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq);
  if (!opts.includeInternal) q = q.where('internal', '=', 0);
  const rows = await q.orderBy('seq', 'asc').limit(limit + 1).execute();
  return { items: (await openMessages(readers.keyring, rows.slice(0, limit))).map(presentMessage), more: rows.length > limit };
}
