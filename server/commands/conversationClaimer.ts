/**
 * An agent who replies to a conversation nobody has takes it. The reply is that agent answering a
 * visitor who waits in the queue: the conversation leaves the queue (the widget stops saying "you
 * are next in line"), the bot stops answering, and it counts toward the agent's capacity, as if
 * they had pressed "Assign to me" first. Only an open, unassigned conversation is claimed, by a
 * conditional update: of two agents replying at once, the first keeps it. Private notes claim
 * nothing (commands/messageCreator.ts calls this for replies only).
 */
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { conversationView } from '../queries/conversationQueries.js';

export async function claimOnReply(ctx: Ctx, agent: Pick<Agent, 'id' | 'tenant_id'>, conversationId: string): Promise<boolean> {
  const now = Date.now();
  const claimed = await ctx.storage.db
    .updateTable('conversations')
    // queued_at set: the bot sees the conversation as in people's hands (botResponder.ts).
    .set((eb) => ({ assignee_id: agent.id, bot_active: 0, queued_at: eb.fn.coalesce('queued_at', eb.val(now)), updated_at: now }))
    .where('id', '=', conversationId)
    .where('tenant_id', '=', agent.tenant_id)
    .where('status', '=', 'open')
    .where('assignee_id', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;
  const conversation = await conversationView(ctx, agent.tenant_id, conversationId);
  await ctx.bus.publish({ type: 'conversation.updated', tenantId: agent.tenant_id, conversation });
  return true;
}
