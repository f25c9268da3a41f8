/**
 * Applies a macro to a conversation in one action, atomically (issue 20): everything is checked
 * first (the macro, its labels and assignee are the tenant's, the agent may assign), the reply is
 * redacted and sealed like any message (messageCreator.ts), then every change is ONE write unit
 * (macroUnit.ts). Events are published after the commit.
 */
import { priorityRank } from '../../protocol/productivity.js';
import type { MessageView } from '../../protocol/records.js';
import { LIMITS } from '../../protocol/limits.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { assertMayAssign } from '../policies/conversationPolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentMessage } from '../presenters/presenters.js';
import { conversationView } from '../queries/conversationQueries.js';
import { visitorDisplayName } from '../queries/visitorNames.js';
import { normaliseWords } from '../security/blindIndex.js';
import { newId } from '../security/ids.js';
import { tenantPatterns } from '../security/redactionPatterns.js';
import { openMessages, sealMessage } from '../security/sealedFields.js';
import { claimOnReply } from './conversationClaimer.js';
import { conversationOf } from './conversationTagger.js';
import { groupCommit } from './groupCommit.js';
import { presentMacro } from './macroEditor.js';
import type { MacroUnitInput } from './macroUnit.js';
import { redactWithEarlier } from './messageContinuation.js';
import type { MessageDraft } from './messageStore.js';

export interface MacroApplied {
  conversation: Awaited<ReturnType<typeof conversationView>>;
  messageId: string | null;
  duplicate: boolean;
}

export async function applyMacro(ctx: Ctx, agent: Agent, conversationId: string, macroId: string, clientId: string): Promise<MacroApplied> {
  const tenantId = agent.tenant_id;
  const db = ctx.storage.db;
  const macro = presentMacro(assertSameTenant({ tenantId }, await db.selectFrom('macros').selectAll().where('id', '=', macroId).executeTakeFirst(), 'macro'));
  const conv = await conversationOf(db, tenantId, conversationId);
  // A retry of an application whose reply is stored already: answered as such, before any check (the
  // first attempt may have resolved the conversation).
  const earlier = await db.selectFrom('messages').select('id').where('tenant_id', '=', tenantId).where('conversation_id', '=', conv.id).where('dedupe_key', '=', `agent:${agent.id}:${clientId}`).executeTakeFirst();
  if (earlier) return { conversation: await conversationView(ctx, tenantId, conv.id), messageId: earlier.id, duplicate: true };
  const now = Date.now();
  const input: MacroUnitInput = { tenantId, conversationId: conv.id, now, reopen: false, priority: null, labelIds: [], message: null, resolve: false };
  let reply: string | null = null;
  for (const a of macro.actions) {
    if (a.type === 'label') input.labelIds.push(assertSameTenant({ tenantId }, await db.selectFrom('labels').select(['id', 'tenant_id']).where('id', '=', a.labelId).executeTakeFirst(), 'label').id);
    else if (a.type === 'priority') input.priority = priorityRank(a.priority);
    else if (a.type === 'status') (a.status === 'open' ? (input.reopen = true) : (input.resolve = true));
    else if (a.type === 'reply') reply = a.body;
    else if (a.type === 'assign') {
      const target = a.agentId === 'me' ? agent.id : a.agentId;
      assertMayAssign(agent, target, conv.assignee_id);
      if (target) assertSameTenant({ tenantId }, await db.selectFrom('agents').select(['id', 'tenant_id']).where('id', '=', target).where('disabled_at', 'is', null).executeTakeFirst(), 'agent');
      input.assignTo = target;
    }
  }
  // Checked again inside the unit (storeMessage refuses a resolved conversation); here for a clear error before any work.
  if (conv.status !== 'open' && !input.reopen && reply !== null) throw new AppError('conversation_closed', 'conversation is resolved; reopen it to reply');
  let continuation: { apply(): Promise<void> } | null = null;
  let draft: MessageDraft | null = null;
  if (reply !== null) {
    const visitorName = await visitorDisplayName(ctx, tenantId, conv.visitor_id);
    const text = reply.replaceAll('{{visitor.name}}', visitorName).replaceAll('{{agent.name}}', agent.name);
    const actor = { kind: 'agent' as const, tenantId, agent };
    const redacted = await redactWithEarlier(ctx, actor, conv.id, text.trim(), await tenantPatterns(ctx.storage, tenantId));
    continuation = redacted;
    const body = redacted.body;
    if (body.length === 0 || body.length > LIMITS.maxMessageChars) throw new AppError('validation_failed', 'the macro reply is empty or too long');
    const dataKey = await ctx.keyring.dataKey(tenantId);
    draft = {
      id: newId('msg'),
      tenant_id: tenantId,
      client_id: clientId,
      dedupe_key: `agent:${agent.id}:${clientId}`,
      author_kind: 'agent',
      author_id: agent.id,
      author_name: agent.name,
      body,
      internal: 0,
      created_at: now,
      key_version: dataKey.version,
      attachment: null,
    };
    input.message = { author: { kind: 'agent', tenantId }, conversationId: conv.id, sealed: sealMessage(dataKey, draft), words: normaliseWords(body), searchKey: await ctx.keyring.searchKey(tenantId) };
  }

  const out = await groupCommit(ctx.storage, 'applyMacro', input);
  if ('duplicate' in out) {
    return { conversation: await conversationView(ctx, tenantId, conv.id), messageId: out.duplicate.id, duplicate: true };
  }
  let message: MessageView | null = null;
  if (draft && out.applied.messageSeq !== null) {
    message = presentMessage({ ...draft, conversation_id: conv.id, seq: out.applied.messageSeq });
    ctx.metrics.messages.inc({ author: 'agent' });
    await ctx.bus.publish({ type: 'message.created', tenantId, conversationId: conv.id, visitorId: out.applied.visitorId, message });
    await continuation?.apply();
    if (input.assignTo === undefined && !input.resolve) await claimOnReply(ctx, agent, conv.id);
  }
  const conversation = await conversationView(ctx, tenantId, conv.id);
  await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation });
  return { conversation, messageId: message?.id ?? null, duplicate: false };
}

/** Reads back a stored reply (tests, retries). */
export async function storedMessage(ctx: Ctx, tenantId: string, id: string) {
  const row = await ctx.storage.db.selectFrom('messages').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
  return row ? presentMessage((await openMessages(ctx.keyring, [row]))[0]!) : null;
}
