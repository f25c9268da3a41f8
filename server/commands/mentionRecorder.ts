/**
 * @mentions in private notes (issue 20): `@handle` names a colleague of the same tenant, where the
 * handle is the part of their email before the @, or their name without spaces (case ignored; read
 * by protocol/productivity.ts mentionHandles, which the console's autocomplete shares).
 * Each mentioned agent (not the author) gets one mention row per note and a live `mention` frame
 * on every console they have open, on any node (the event goes through the bus).
 */
import { mentionHandles, type MentionView } from '../../protocol/productivity.js';
import type { MessageView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import type { Mention } from '../storage/productivitySchema.js';
import { newId } from '../security/ids.js';

export const handleOf = (a: Pick<Agent, 'email'>) => a.email.split('@')[0]!.toLowerCase();

export function presentMention(m: Mention): MentionView {
  return { id: m.id, conversationId: m.conversation_id, messageId: m.message_id, by: { id: m.by_agent_id, name: m.by_name }, createdAt: new Date(m.created_at).toISOString(), read: m.read_at !== null };
}

export async function recordMentions(ctx: Ctx, author: Agent, message: MessageView): Promise<MentionView[]> {
  if (!message.internal) return [];
  const handles = mentionHandles(message.body);
  if (handles.length === 0) return [];
  const agents = await ctx.storage.db.selectFrom('agents').select(['id', 'email', 'name']).where('tenant_id', '=', author.tenant_id).where('disabled_at', 'is', null).execute();
  const wanted = new Set(handles);
  const mentioned = agents.filter((a) => a.id !== author.id && (wanted.has(handleOf(a)) || wanted.has(a.name.replace(/\s+/g, '').toLowerCase())));
  const out: MentionView[] = [];
  for (const a of mentioned) {
    const row: Mention = { id: newId('mnt'), tenant_id: author.tenant_id, conversation_id: message.conversationId, message_id: message.id, agent_id: a.id, by_agent_id: author.id, by_name: author.name, created_at: Date.now(), read_at: null };
    const res = await ctx.storage.db.insertInto('mentions').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) continue; // a retried note: mentioned once
    const mention = presentMention(row);
    out.push(mention);
    await ctx.bus.publish({ type: 'mention.created', tenantId: author.tenant_id, agentId: a.id, mention });
  }
  return out;
}
