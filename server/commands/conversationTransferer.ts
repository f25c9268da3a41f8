/**
 * Transfer a conversation to another agent (assigned at once, whatever their capacity: a person
 * chose them) or to a team (it joins that team's queue and routing picks an agent). A system
 * message records the move for both sides.
 */
import type { TransferBody } from '../../protocol/contactCentre.js';
import type { ConversationView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { assertMayTransfer } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { conversationView } from '../queries/conversationQueries.js';
import { createMessage } from './messageCreator.js';
import { newId } from '../security/ids.js';
import { conversationText } from '../i18n/serverText.js';

export async function transferConversation(ctx: Ctx, agent: Agent, conversationId: string, to: TransferBody): Promise<ConversationView> {
  const db = ctx.storage.db;
  const tenantId = agent.tenant_id;
  const conv = assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst(), 'conversation');
  assertMayTransfer(agent, conv.assignee_id);
  if (conv.status !== 'open') throw new AppError('conversation_closed', 'conversation is resolved; reopen it to transfer');
  const now = Date.now();
  let note: string;
  if ('agentId' in to) {
    const target = assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('agents').selectAll().where('id', '=', to.agentId).where('disabled_at', 'is', null).executeTakeFirst(), 'agent');
    await db
      .updateTable('conversations')
      .set({ assignee_id: target.id, assigned_at: now, updated_at: now, bot_active: 0, queued_at: conv.queued_at ?? now })
      .where('id', '=', conv.id)
      .where('tenant_id', '=', tenantId)
      .execute();
    note = (await conversationText(db, tenantId, conv.id)).transferredToAgent(agent.name, target.name);
  } else {
    const team = assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('teams').selectAll().where('id', '=', to.teamId).executeTakeFirst(), 'team');
    // Back in the queue, at the time of the transfer: routing (a subscriber) picks a member.
    await db
      .updateTable('conversations')
      .set({ team_id: team.id, assignee_id: null, assigned_at: null, queued_at: now, updated_at: now, bot_active: 0 })
      .where('id', '=', conv.id)
      .where('tenant_id', '=', tenantId)
      .execute();
    note = (await conversationText(db, tenantId, conv.id)).transferredToTeam(agent.name, team.name);
  }
  await createMessage(ctx, { kind: 'system', tenantId, name: 'Parley' }, { clientId: newId('transfer'), conversationId: conv.id, body: note });
  const view = await conversationView(ctx, tenantId, conv.id);
  await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation: view });
  return view;
}
