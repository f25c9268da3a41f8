/**
 * Search over a tenant's messages without plaintext: the query's words become the tenant's blind-index
 * tokens (security/blindIndex.ts) and a conversation matches when its messages contain every token.
 */
import type { ConversationView } from '../../protocol/records.js';
import { AppError } from '../errors.js';
import { blindToken, normaliseWords } from '../security/blindIndex.js';
import { conversationViews, type Readers } from './conversationQueries.js';

export async function searchConversations(readers: Readers, tenantId: string, q: string, limit = 50): Promise<ConversationView[]> {
  const words = normaliseWords(q).slice(0, 10);
  if (words.length === 0) throw new AppError('validation_failed', 'q must contain at least one word of 2 or more letters or digits');
  const key = await readers.keyring.searchKey(tenantId);
  const tokens = words.map((w) => blindToken(key, w));
  const db = readers.storage.db;
  const hits = await db
    .selectFrom('message_search')
    .select('conversation_id')
    .where('tenant_id', '=', tenantId)
    .where('token', 'in', tokens)
    .groupBy('conversation_id')
    .having((eb) => eb.fn.count<number>('token').distinct(), '=', tokens.length)
    .execute();
  if (hits.length === 0) return [];
  const rows = await db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', hits.map((h) => h.conversation_id))
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
  return conversationViews(readers, tenantId, rows);
}
