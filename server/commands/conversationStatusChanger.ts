import type { ConversationStatus, ConversationView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { conversationView } from '../queries/conversationQueries.js';

/** Resolve or reopen. Changing to the status it already has is a no-op that still returns the conversation. */
export async function setConversationStatus(ctx: Ctx, agent: Agent, conversationId: string, status: ConversationStatus): Promise<ConversationView> {
  const db = ctx.storage.db;
  const conv = assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst(), 'conversation');
  if (conv.status === status) return conversationView(ctx, agent.tenant_id, conv.id);
  const now = Date.now();
  await db
    .updateTable('conversations')
    .set({ status, updated_at: now, resolved_at: status === 'resolved' ? now : null })
    .where('id', '=', conv.id)
    .where('tenant_id', '=', agent.tenant_id)
    .execute();
  const view = await conversationView(ctx, agent.tenant_id, conv.id);
  await ctx.bus.publish({ type: 'conversation.updated', tenantId: agent.tenant_id, conversation: view });
  return view;
}
