/**
 * Stores one message and only then lets it be acknowledged. The write itself is a write unit
 * (messageStore.ts): find (or, for a visitor, open) the conversation, drop a retry, take the next
 * seq, insert — one transaction. On SQLite it is grouped with the messages that arrived meanwhile
 * and runs on the writer thread (commands/groupCommit.ts); on PostgreSQL the common case is one
 * statement, shared with the messages that arrive meanwhile (messageInsertBatched.ts). A retry
 * with the same clientId from the same sender returns the stored message instead of a second copy.
 */
import type { MessageView } from '../../protocol/records.js';
import { LIMITS } from '../../protocol/limits.js';
import type { Actor, Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { presentMessage, presentStoredMessage } from '../presenters/presenters.js';
import { conversationView } from '../queries/conversationQueries.js';
import { knownVisitorName, visitorDisplayName } from '../queries/visitorNames.js';
import { newId } from '../security/ids.js';
import { knownTenantPatterns, tenantPatterns } from '../security/redactionPatterns.js';
import { openMessages, sealMessage } from '../security/sealedFields.js';
import { normaliseWords } from '../security/blindIndex.js';
import { groupCommit } from './groupCommit.js';
import { storeMessageBatched } from './messageInsertBatched.js';
import { claimOnReply } from './conversationClaimer.js';
import { mayContinueEarlier, redactAlone, redactWithEarlier } from './messageContinuation.js';
import type { MessageDraft, StoreMessageInput, StoreMessageOutput } from './messageStore.js';
import { recordMentions } from './mentionRecorder.js';
import { wakeOnReply } from './conversationTagger.js';

export interface CreateMessageInput {
  clientId: string;
  body: string;
  /** Required for agents; a visitor's goes to their latest conversation unless they name one of theirs (or their contact's). */
  conversationId?: string;
  /** Visitors: start a new conversation (issue 20). */
  newConversation?: boolean;
  internal?: boolean;
  /** Contact centre: a stored attachment (commands/attachmentStorer.ts) this message carries. */
  attachment?: NonNullable<MessageView['attachment']>;
  /** The realtime socket it came from (Connection.socketId): it gets the message in its ack, not twice. */
  fromSocket?: string;
  /**
   * Called once the message's place among the sender's messages is fixed and its event cannot be
   * overtaken: the socket may then start on its next frame (Connection.untilQueued). On SQLite that
   * is when the unit is handed to the writer thread, which takes units in order. On PostgreSQL,
   * whose pooled connections may commit in any order, it is once the message is committed and its
   * event handed to the bus (which keeps the order of publish calls), without waiting for the bus.
   */
  queued?: () => void;
}

export interface CreateMessageResult {
  message: MessageView;
  duplicate: boolean;
}

export async function createMessage(ctx: Ctx, actor: Actor, input: CreateMessageInput): Promise<CreateMessageResult> {
  const accepted = performance.now(); // parley_message_commit_seconds: accepted → committed
  // Card numbers are redacted here even though the widget already did: the server trusts no client.
  // Tenant-configured patterns too (validated when saved, see security/redactionPatterns.ts). A card
  // begun in the author's previous messages is found too (messageContinuation.ts).
  // What every message needs is nearly always in this node's memory (the patterns, the visitor's
  // name, the keys): taken from there without an await, which per lookup cost a promise and a turn
  // of the microtask queue on every message; `?? await` reads it only when it is not.
  const patterns = knownTenantPatterns(ctx.storage, actor.tenantId) ?? (await tenantPatterns(ctx.storage, actor.tenantId));
  const trimmed = input.body.trim();
  const continuation = mayContinueEarlier(actor, trimmed) ? await redactWithEarlier(ctx, actor, input.conversationId, trimmed, patterns) : redactAlone(trimmed, patterns);
  const body = continuation.body;
  if (body.length === 0) throw new AppError('validation_failed', 'message body is empty');
  if (body.length > LIMITS.maxMessageChars) throw new AppError('validation_failed', `message body is longer than ${LIMITS.maxMessageChars} characters`);
  const internal = actor.kind === 'agent' && input.internal === true;
  const author =
    actor.kind === 'agent'
      ? { kind: 'agent' as const, id: actor.agent.id, name: actor.agent.name }
      : actor.kind === 'system'
        ? { kind: 'system' as const, id: actor.bot ? 'bot' : 'system', name: actor.name }
        : { kind: 'visitor' as const, id: actor.visitorId, name: knownVisitorName(ctx.storage, actor.tenantId, actor.visitorId) ?? (await visitorDisplayName(ctx, actor.tenantId, actor.visitorId)) };
  const dedupeKey = `${author.kind}:${author.id}:${input.clientId}`;
  // Keys come from the keyring (memory, or the key store: never this database's connection).
  const dataKey = ctx.keyring.knownDataKey(actor.tenantId) ?? (await ctx.keyring.dataKey(actor.tenantId));
  const draft: MessageDraft = {
    id: newId('msg'),
    tenant_id: actor.tenantId,
    client_id: input.clientId,
    dedupe_key: dedupeKey,
    author_kind: author.kind,
    author_id: author.id,
    author_name: author.name,
    body,
    internal: internal ? 1 : 0,
    created_at: Date.now(),
    key_version: dataKey.version,
    attachment: input.attachment ? JSON.stringify(input.attachment) : null,
  };
  // Stored sealed (security/sealedFields.ts); the search index gets keyed tokens of its words, never words.
  const unit: StoreMessageInput = {
    author: actor.kind === 'visitor' ? { kind: 'visitor', tenantId: actor.tenantId, visitorId: actor.visitorId } : { kind: actor.kind, tenantId: actor.tenantId },
    conversationId: input.conversationId,
    ...(actor.kind === 'visitor' && input.newConversation ? { newConversation: true } : {}),
    sealed: sealMessage(dataKey, draft),
    words: normaliseWords(body),
    searchKey: ctx.keyring.knownSearchKey(actor.tenantId) ?? (await ctx.keyring.searchKey(actor.tenantId)),
  };

  let created: StoreMessageOutput;
  try {
    if (ctx.storage.dialect === 'postgres') {
      created = (!unit.newConversation && (await storeMessageBatched(ctx.storage, unit))) || (await groupCommit(ctx.storage, 'storeMessage', unit));
    } else {
      const storing = groupCommit(ctx.storage, 'storeMessage', unit);
      input.queued?.();
      created = await storing;
    }
  } catch (err) {
    // Two nodes raced on the same retry: the loser reads the winner's row.
    if (!ctx.storage.isUniqueViolation(err)) throw err;
    const existing = await ctx.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', actor.tenantId)
      .where('dedupe_key', '=', dedupeKey)
      .executeTakeFirst();
    if (!existing) throw err;
    created = { duplicate: existing };
  }

  if ('duplicate' in created) {
    // A retry: the first attempt may have committed on a node that died before publishing, so the
    // event is published again (clients deduplicate by id); otherwise live receivers never see it.
    const message = presentMessage((await openMessages(ctx.keyring, [created.duplicate]))[0]!);
    const conv = await ctx.storage.db.selectFrom('conversations').select(['visitor_id']).where('id', '=', message.conversationId).where('tenant_id', '=', actor.tenantId).executeTakeFirst();
    if (conv) await ctx.bus.publish({ type: 'message.created', tenantId: actor.tenantId, conversationId: message.conversationId, visitorId: conv.visitor_id, message });
    return { message, duplicate: true };
  }

  const { stored } = created;
  ctx.metrics.messages.inc({ author: author.kind });
  ctx.metrics.commitSeconds.observe({ author: author.kind }, (performance.now() - accepted) / 1000);
  const message = presentStoredMessage(draft, stored.conversationId, stored.seq);
  if (stored.conversationOpened) {
    const conversation = await conversationView(ctx, actor.tenantId, message.conversationId);
    await ctx.bus.publish({ type: 'conversation.updated', tenantId: actor.tenantId, conversation, created: stored.conversationCreated });
  }
  const published = ctx.bus.publish({ type: 'message.created', tenantId: actor.tenantId, conversationId: message.conversationId, visitorId: stored.visitorId, message, fromSocket: input.fromSocket });
  input.queued?.(); // PostgreSQL: committed, and its event is on its way (on SQLite, called already)
  await published;
  await continuation.apply();
  if (actor.kind === 'agent' && !internal) await claimOnReply(ctx, actor.agent, message.conversationId);
  // Issue 20: @mentions in notes notify colleagues; a visitor's message ends a snooze (not awaited: the ack does not wait for it).
  if (actor.kind === 'agent' && internal && body.includes('@')) await recordMentions(ctx, actor.agent, message);
  if (actor.kind === 'visitor' && stored.snoozed) wakeOnReply(ctx, actor.tenantId, message.conversationId).catch((err: Error) => ctx.log.warn({ err: err.message }, 'snooze not ended on reply'));
  return { message, duplicate: false };
}
