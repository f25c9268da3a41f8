import type { ConversationView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { assertMayAssign } from '../policies/conversationPolicy.js';
import { conversationView } from '../queries/conversationQueries.js';

export async function assignConversation(ctx: Ctx, agent: Agent, conversationId: string, targetAgentId: string | null): Promise<ConversationView> {
  const actor = { tenantId: agent.tenant_id };
  const db = ctx.storage.db;
  const conv = assertSameTenant(actor, await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst(), 'conversation');
  assertMayAssign(agent, targetAgentId, conv.assignee_id);
  if (targetAgentId) {
    const target = await db.selectFrom('agents').selectAll().where('id', '=', targetAgentId).where('disabled_at', 'is', null).executeTakeFirst();
    assertSameTenant(actor, target, 'agent');
  }
  await db.updateTable('conversations').set({ assignee_id: targetAgentId, updated_at: Date.now() }).where('id', '=', conv.id).where('tenant_id', '=', agent.tenant_id).execute();
  const view = await conversationView(ctx, agent.tenant_id, conv.id);
  await ctx.bus.publish({ type: 'conversation.updated', tenantId: agent.tenant_id, conversation: view });
  return view;
}
