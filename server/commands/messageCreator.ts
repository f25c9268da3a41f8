/**
 * Stores one message and only then lets it be acknowledged. In one transaction: find (or, for a
 * visitor, open) the conversation, take the next seq, insert. A retry with the same clientId from the
 * same sender returns the stored message instead of a second copy. On PostgreSQL the common case is
 * one statement (messageInsertOneTrip.ts); on SQLite transactions are grouped (storage/groupCommit.ts).
 */
import type { MessageView } from '../../protocol/records.js';
import { LIMITS } from '../../protocol/limits.js';
import { redact } from '../../protocol/redaction.js';
import type { Actor, Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentMessage } from '../presenters/presenters.js';
import { conversationView } from '../queries/conversationQueries.js';
import { newId } from '../security/ids.js';
import type { Db } from '../storage/db.js';
import type { Message } from '../storage/schema.js';
import { tenantPatterns } from '../security/redactionPatterns.js';
import { openMessages, openVisitors, sealMessage } from '../security/sealedFields.js';
import { blindToken, normaliseWords } from '../security/blindIndex.js';
import { markIndexed, unindexedWords } from '../storage/indexedWords.js';
import { groupCommit } from '../storage/groupCommit.js';
import { preparedQuery } from '../storage/preparedQuery.js';
import { insertMessageInOneTrip, type MessageDraft, type StoredInOneTrip } from './messageInsertOneTrip.js';

// The queries every message runs, compiled once (storage/preparedQuery.ts).
const visitorName = preparedQuery<{ id: string; tenantId: string }, { id: string; tenant_id: string; name: string | null }>((db, p) =>
  db.selectFrom('visitors').select(['id', 'tenant_id', 'name']).where('id', '=', p('id')).where('tenant_id', '=', p('tenantId')),
);
const conversationById = preparedQuery<{ id: string }, { id: string; tenant_id: string; visitor_id: string; status: string }>((db, p) =>
  db.selectFrom('conversations').select(['id', 'tenant_id', 'visitor_id', 'status']).where('id', '=', p('id')),
);
const latestOfVisitor = preparedQuery<{ tenantId: string; visitorId: string }, { id: string; status: string }>((db, p) =>
  db.selectFrom('conversations').select(['id', 'status']).where('tenant_id', '=', p('tenantId')).where('visitor_id', '=', p('visitorId')).orderBy('created_at', 'desc').limit(1),
);
const messageByDedupeKey = preparedQuery<{ conversationId: string; dedupeKey: string }, Message>((db, p) =>
  db.selectFrom('messages').selectAll().where('conversation_id', '=', p('conversationId')).where('dedupe_key', '=', p('dedupeKey')),
);
const nextSeq = preparedQuery<{ id: string; tenantId: string; now: number }, { last_seq: number }>((db, p) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: p('now') }))
    .where('id', '=', p('id'))
    .where('tenant_id', '=', p('tenantId'))
    .returning(['last_seq']),
);
const insertMessage = preparedQuery<Message, never>((db, p) =>
  db.insertInto('messages').values({
    id: p('id'),
    tenant_id: p('tenant_id'),
    conversation_id: p('conversation_id'),
    seq: p('seq'),
    client_id: p('client_id'),
    dedupe_key: p('dedupe_key'),
    author_kind: p('author_kind'),
    author_id: p('author_id'),
    author_name: p('author_name'),
    body: p('body'),
    internal: p('internal'),
    created_at: p('created_at'),
    key_version: p('key_version'),
    attachment: p('attachment'),
  }),
);

export interface CreateMessageInput {
  clientId: string;
  body: string;
  /** Required for agents; visitors always write to their current conversation. */
  conversationId?: string;
  internal?: boolean;
  /** Contact centre: a stored attachment (commands/attachmentStorer.ts) this message carries. */
  attachment?: NonNullable<MessageView['attachment']>;
  /** The realtime socket it came from (Connection.socketId): it gets the message in its ack, not twice. */
  fromSocket?: string;
}

export interface CreateMessageResult {
  message: MessageView;
  duplicate: boolean;
}

export async function createMessage(ctx: Ctx, actor: Actor, input: CreateMessageInput): Promise<CreateMessageResult> {
  // Card numbers are redacted here even though the widget already did: the server trusts no client.
  // Tenant-configured patterns too (validated when saved, see security/redactionPatterns.ts).
  const body = redact(input.body.trim(), await tenantPatterns(ctx.storage, actor.tenantId)).text;
  if (body.length === 0) throw new AppError('validation_failed', 'message body is empty');
  if (body.length > LIMITS.maxMessageChars) throw new AppError('validation_failed', `message body is longer than ${LIMITS.maxMessageChars} characters`);
  const internal = actor.kind === 'agent' && input.internal === true;
  const author =
    actor.kind === 'agent'
      ? { kind: 'agent' as const, id: actor.agent.id, name: actor.agent.name }
      : actor.kind === 'system'
        ? { kind: 'system' as const, id: 'bot', name: actor.name }
        : { kind: 'visitor' as const, id: actor.visitorId, name: '' };
  const dedupeKey = `${author.kind}:${author.id}:${input.clientId}`;
  // Keys come from the keyring (memory, or the key store: never this database's connection).
  const dataKey = await ctx.keyring.dataKey(actor.tenantId);
  const searchKey = await ctx.keyring.searchKey(actor.tenantId);
  /**
   * The author's display name; a visitor's is read with `db`. On SQLite that is the transaction:
   * it holds the only connection, and a read before it would wait for the group commit in progress.
   */
  const authorName = async (db: Db): Promise<string> => {
    if (author.kind !== 'visitor') return author.name;
    const row = await visitorName.first(db, { id: author.id, tenantId: actor.tenantId });
    // Only the name is opened (one decryption, not four).
    return (row && (await openVisitors(ctx.keyring, [{ ...row, email: null, current_page: null, user_agent: null }]))[0]!.name) || 'Visitor';
  };

  const now = Date.now();
  const unnamed: Omit<MessageDraft, 'author_name'> = {
    id: newId('msg'),
    tenant_id: actor.tenantId,
    client_id: input.clientId,
    dedupe_key: dedupeKey,
    author_kind: author.kind,
    author_id: author.id,
    body,
    internal: internal ? 1 : 0,
    created_at: now,
    key_version: dataKey.version,
    attachment: input.attachment ? JSON.stringify(input.attachment) : null,
  };
  // Stored sealed (security/sealedFields.ts); the search index gets keyed tokens, never words, one
  // row per word and conversation, for the words not already indexed there (storage/indexedWords.ts).
  const words = normaliseWords(body);
  const tokensOf = (ws: string[]) => ws.map((w) => blindToken(searchKey, w));
  /** Words whose search rows the transaction wrote: marked indexed once it has committed. */
  let indexed: { conversationId: string; words: string[] } | undefined;

  let created: { message: Message; conversationOpened: boolean; conversationCreated: boolean; visitorId: string } | { duplicate: Message };
  try {
    let oneTrip: { draft: MessageDraft; stored: StoredInOneTrip } | undefined;
    if (ctx.storage.dialect === 'postgres') {
      const draft = { ...unnamed, author_name: await authorName(ctx.storage.db) };
      // A visitor's conversation is known only afterwards: all their words are sent.
      const fresh = actor.kind === 'visitor' || !input.conversationId ? words : unindexedWords(ctx.storage, input.conversationId, words);
      const target = actor.kind === 'visitor' ? { visitorId: actor.visitorId } : { conversationId: input.conversationId ?? '' };
      const stored = await insertMessageInOneTrip(ctx.storage.db, target, input.conversationId, sealMessage(dataKey, draft), tokensOf(fresh));
      if (stored) {
        oneTrip = { draft, stored };
        indexed = { conversationId: stored.conversation_id, words: fresh };
      }
    }
    created = oneTrip
      ? { message: { ...oneTrip.draft, conversation_id: oneTrip.stored.conversation_id, seq: oneTrip.stored.seq }, conversationOpened: false, conversationCreated: false, visitorId: oneTrip.stored.visitor_id }
      : await groupCommit(ctx.storage, async (trx, later) => {
          const conversation = await resolveConversation(trx, actor, input.conversationId);
          const existing = await messageByDedupeKey.first(trx, { conversationId: conversation.id, dedupeKey });
          if (existing) return { duplicate: existing };
          const draft = { ...unnamed, author_name: await authorName(trx) };
          const bumped = await nextSeq.first(trx, { id: conversation.id, tenantId: actor.tenantId, now });
          if (!bumped) throw new Error(`conversation ${conversation.id} vanished inside its own transaction`);
          await insertMessage.all(trx, { ...sealMessage(dataKey, draft), conversation_id: conversation.id, seq: bumped.last_seq });
          // Written with the rest of the batch, before its commit (storage/groupCommit.ts).
          const fresh = unindexedWords(ctx.storage, conversation.id, words);
          if (fresh.length) later.insertIgnoringDuplicates('message_search', tokensOf(fresh).map((token) => ({ tenant_id: actor.tenantId, token, conversation_id: conversation.id, message_id: draft.id })));
          indexed = { conversationId: conversation.id, words: fresh };
          return { message: { ...draft, conversation_id: conversation.id, seq: bumped.last_seq }, conversationOpened: conversation.opened, conversationCreated: conversation.created, visitorId: conversation.visitorId };
        });
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

  if (indexed) markIndexed(ctx.storage, indexed.conversationId, indexed.words);
  ctx.metrics.messages.inc({ author: author.kind });
  const message = presentMessage(created.message);
  if (created.conversationOpened) {
    const conversation = await conversationView(ctx, actor.tenantId, message.conversationId);
    await ctx.bus.publish({ type: 'conversation.updated', tenantId: actor.tenantId, conversation, created: created.conversationCreated });
  }
  await ctx.bus.publish({ type: 'message.created', tenantId: actor.tenantId, conversationId: message.conversationId, visitorId: created.visitorId, message, fromSocket: input.fromSocket });
  return { message, duplicate: false };
}

/** The conversation a message goes to. A visitor writing after a resolve reopens their latest conversation. */
async function resolveConversation(trx: Db, actor: Actor, requestedId: string | undefined): Promise<{ id: string; visitorId: string; opened: boolean; created: boolean }> {
  if (actor.kind === 'agent' || actor.kind === 'system') {
    if (!requestedId) throw new AppError('validation_failed', 'conversationId is required');
    const conv = assertSameTenant(actor, await conversationById.first(trx, { id: requestedId }), 'conversation');
    if (conv.status !== 'open') throw new AppError('conversation_closed', 'conversation is resolved; reopen it to reply');
    return { id: conv.id, visitorId: conv.visitor_id, opened: false, created: false };
  }
  const latest = await latestOfVisitor.first(trx, { tenantId: actor.tenantId, visitorId: actor.visitorId });
  if (requestedId && latest && requestedId !== latest.id) {
    throw new AppError('not_found', 'conversation not found');
  }
  const now = Date.now();
  if (latest) {
    if (latest.status === 'open') return { id: latest.id, visitorId: actor.visitorId, opened: false, created: false };
    await trx.updateTable('conversations').set({ status: 'open', resolved_at: null, updated_at: now }).where('id', '=', latest.id).execute();
    return { id: latest.id, visitorId: actor.visitorId, opened: true, created: false };
  }
  const id = newId('conv');
  await trx
    .insertInto('conversations')
    .values({ id, tenant_id: actor.tenantId, visitor_id: actor.visitorId, status: 'open', assignee_id: null, created_at: now, updated_at: now, resolved_at: null })
    .execute();
  return { id, visitorId: actor.visitorId, opened: true, created: true };
}
