/**
 * The write of one message, as a write unit (storage/writeUnit.ts): in its transaction, find (or,
 * for a visitor, open) the conversation and take its next seq, drop a retry, insert the (sealed)
 * message, index its words. Plain data in and out, so on SQLite it runs on the writer thread,
 * grouped with the messages that arrived meanwhile (storage/sqliteWriter.ts); on PostgreSQL, where
 * the common case is one statement shared with the messages that arrive meanwhile
 * (messageInsertBatched.ts), it is the general path.
 */
import type { Transaction } from 'kysely';
import { AppError } from '../errors.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { newId } from '../security/ids.js';
import { blindToken } from '../security/blindIndex.js';
import { markIndexed, unindexedWords } from '../storage/indexedWords.js';
import { preparedQuery, type PreparedQuery, type SyncStatements } from '../storage/preparedQuery.js';
import type { Database, Message } from '../storage/schema.js';
import type { UnitContext } from '../storage/writeUnit.js';
import '../storage/contactSchema.js';
import { sameSharedContact } from '../queries/contactQueries.js';

/** A message as the client and the server's checks made it, before it has a conversation and a seq. */
export type MessageDraft = Omit<Message, 'conversation_id' | 'seq'>;

export interface StoreMessageInput {
  author: { kind: 'visitor'; tenantId: string; visitorId: string } | { kind: 'agent' | 'system'; tenantId: string };
  /** The conversation the client named: required for agents and the bot; a visitor's must be theirs or their contact's (issue 20). */
  conversationId?: string;
  /** Visitors: start a new conversation, whatever conversations they have open (issue 20). */
  newConversation?: boolean;
  /** The message, already sealed (security/sealedFields.ts). */
  sealed: MessageDraft;
  /** Its words, normalised (security/blindIndex.ts): those not yet indexed for the conversation get search rows. */
  words: string[];
  /** The tenant's blind-index key. */
  searchKey: Uint8Array;
}

export type StoreMessageOutput =
  /** `snoozed`: the conversation was snoozed when the message arrived (a visitor's message ends that: wakeOnReply). */
  | { stored: { conversationId: string; seq: number; visitorId: string; conversationOpened: boolean; conversationCreated: boolean; snoozed: boolean } }
  /** A retry of a message already stored: that row, sealed. */
  | { duplicate: Message };

const conversationById = preparedQuery<{ id: string }, { id: string; tenant_id: string; visitor_id: string; status: string }>((db, p) =>
  db.selectFrom('conversations').select(['id', 'tenant_id', 'visitor_id', 'status']).where('id', '=', p('id')),
);
const latestOfVisitor = preparedQuery<{ tenantId: string; visitorId: string }, { id: string; status: string }>((db, p) =>
  db.selectFrom('conversations').select(['id', 'status']).where('tenant_id', '=', p('tenantId')).where('visitor_id', '=', p('visitorId')).orderBy('created_at', 'desc').limit(1),
);
const messageByDedupeKey = preparedQuery<{ conversationId: string; dedupeKey: string }, Message>((db, p) =>
  db.selectFrom('messages').selectAll().where('conversation_id', '=', p('conversationId')).where('dedupe_key', '=', p('dedupeKey')),
);

/**
 * The common case in one statement: take the next seq of the open conversation the message goes
 * to, found in the same UPDATE — the visitor's latest (and, if they named one, only that one), or
 * the one an agent or the bot named. No row: not the common case (see resolveConversation).
 */
type Bumped = { id: string; visitor_id: string; last_seq: number; updated_at: number; snoozed: number };
/**
 * How stale a conversation's `updated_at` (its place in the inbox, conversations_inbox) may get
 * while messages arrive: the seq bump leaves it alone, so it rewrites no index entry (on PostgreSQL
 * a HOT update, migration 0190); a second statement moves it when it is this old.
 */
export const ACTIVITY_GRANULARITY_MS = 1000;
const bumpLatestOfVisitor = (named: boolean) =>
  preparedQuery<{ tenantId: string; visitorId: string; requestedId?: string }, Bumped>((db, p) => {
    const update = db
      .updateTable('conversations')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
      .where('id', '=', db.selectFrom('conversations').select('id').where('tenant_id', '=', p('tenantId')).where('visitor_id', '=', p('visitorId')).orderBy('created_at', 'desc').limit(1))
      .where('status', '=', 'open');
    return (named ? update.where('id', '=', p('requestedId') as string) : update).returning(['id', 'visitor_id', 'last_seq', 'updated_at', 'snoozed']);
  });
const bumpVisitorsLatest = bumpLatestOfVisitor(false);
const bumpVisitorsNamed = bumpLatestOfVisitor(true);
const bumpNamed = preparedQuery<{ id: string; tenantId: string }, Bumped>((db, p) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', p('id'))
    .where('tenant_id', '=', p('tenantId'))
    .where('status', '=', 'open')
    .returning(['id', 'visitor_id', 'last_seq', 'updated_at', 'snoozed']),
);
const touch = preparedQuery<{ id: string; now: number }, never>((db, p) =>
  db.updateTable('conversations').set({ updated_at: p('now') }).where('id', '=', p('id')).where('updated_at', '<', p('now')),
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

/**
 * On SQLite's writer thread (`statements`) the common case — the conversation is open and takes
 * the message — runs synchronously on the connection: no query object or promise per statement
 * (issue 21: the thread's CPU per message went from ~90 to ~80 µs in the bench's saturating
 * phase). Anything else goes the general way, which starts again from nothing: the fast path
 * writes nothing before it knows it is the common case.
 */
export async function storeMessage(trx: Transaction<Database>, input: StoreMessageInput, ctx: UnitContext): Promise<StoreMessageOutput> {
  return (ctx.statements && storeInOpenConversation(trx, input, ctx, ctx.statements)) || storeGeneral(trx, input, ctx);
}

/** The statement that takes the next seq in the common case, if the message can have one. */
function commonBump({ author, conversationId: requestedId, newConversation }: StoreMessageInput): { query: PreparedQuery<Record<string, string>, Bumped>; params: Record<string, string> } | undefined {
  if (author.kind !== 'visitor') return requestedId ? { query: bumpNamed, params: { id: requestedId, tenantId: author.tenantId } } : undefined;
  if (newConversation) return undefined;
  const params = { tenantId: author.tenantId, visitorId: author.visitorId };
  return requestedId ? { query: bumpVisitorsNamed, params: { ...params, requestedId } } : { query: bumpVisitorsLatest, params };
}

type Target = { id: string; visitorId: string; seq: number; opened: boolean; created: boolean; snoozed: boolean };
const commonTarget = (bumped: Bumped): Target => ({ id: bumped.id, visitorId: bumped.visitor_id, seq: bumped.last_seq, opened: false, created: false, snoozed: bumped.snoozed === 1 });
const isStale = (bumped: Bumped, now: number) => now - bumped.updated_at >= ACTIVITY_GRANULARITY_MS;

/** The general path's steps without promises; undefined (nothing written) when the message is not the common case. */
function storeInOpenConversation(trx: Transaction<Database>, input: StoreMessageInput, ctx: UnitContext, statements: SyncStatements): StoreMessageOutput | undefined {
  const bump = commonBump(input);
  const bumped = bump && bump.query.firstSync(trx, statements, bump.params);
  if (!bumped) return undefined;
  const { sealed } = input;
  if (isStale(bumped, sealed.created_at)) touch.allSync(trx, statements, { id: bumped.id, now: sealed.created_at });
  const target = commonTarget(bumped);
  // The unique (conversation_id, dedupe_key) finds a retry instead of a look-up before every insert;
  // the failed insert changed nothing (SQLite undoes the statement), and undo() drops the seq taken.
  try {
    insertMessage.allSync(trx, statements, { ...sealed, conversation_id: target.id, seq: target.seq });
  } catch (err) {
    const existing = statements.isUniqueViolation(err) ? messageByDedupeKey.firstSync(trx, statements, { conversationId: target.id, dedupeKey: sealed.dedupe_key }) : undefined;
    if (!existing) throw err;
    ctx.undo();
    return { duplicate: existing };
  }
  return stored(input, ctx, target);
}

async function storeGeneral(trx: Transaction<Database>, input: StoreMessageInput, ctx: UnitContext): Promise<StoreMessageOutput> {
  const { author, sealed } = input;
  const now = sealed.created_at;
  const bump = commonBump(input);
  const common = bump && (await bump.query.first(trx, bump.params));
  let target: Target;
  if (common) {
    target = commonTarget(common);
    if (isStale(common, now)) await touch.all(trx, { id: common.id, now });
  } else {
    // Found, opened or created by now, and open: the same update takes its seq.
    const conversation = await resolveConversation(trx, input);
    const bumped = await bumpNamed.first(trx, { id: conversation.id, tenantId: author.tenantId });
    if (!bumped) throw new Error(`conversation ${conversation.id} vanished inside its own transaction`);
    target = { ...conversation, seq: bumped.last_seq, snoozed: bumped.snoozed === 1 };
  }
  // A retry of a message already stored: nothing of this attempt is kept (not even the seq taken).
  const existing = await messageByDedupeKey.first(trx, { conversationId: target.id, dedupeKey: sealed.dedupe_key });
  if (existing) {
    ctx.undo();
    return { duplicate: existing };
  }
  await insertMessage.all(trx, { ...sealed, conversation_id: target.id, seq: target.seq });
  return stored(input, ctx, target);
}

/** The message is in: its search rows go with the batch, and its outcome. */
function stored({ author, sealed, words, searchKey }: StoreMessageInput, { later, database }: UnitContext, target: Target): StoreMessageOutput {
  // The search index gets keyed tokens, never words, one row per word and conversation, for the
  // words not already indexed there; written with the rest of the batch, before its commit.
  const fresh = unindexedWords(database, target.id, words);
  if (fresh.length) {
    later.insertIgnoringDuplicates(
      'message_search',
      fresh.map((w) => ({ tenant_id: author.tenantId, token: blindToken(searchKey, w), conversation_id: target.id, message_id: sealed.id })),
    );
    later.afterCommit(() => markIndexed(database, target.id, fresh));
  }
  return { stored: { conversationId: target.id, seq: target.seq, visitorId: target.visitorId, conversationOpened: target.opened, conversationCreated: target.created, snoozed: target.snoozed } };
}

/**
 * The conversation a message goes to. A visitor writing after a resolve reopens their latest
 * conversation, or the one they named: theirs, or one of another browser of their contact (a
 * verified shopper's other device). `newConversation` starts another one.
 */
async function resolveConversation(trx: Transaction<Database>, { author, conversationId: requestedId, newConversation }: StoreMessageInput): Promise<{ id: string; visitorId: string; opened: boolean; created: boolean }> {
  if (author.kind !== 'visitor') {
    if (!requestedId) throw new AppError('validation_failed', 'conversationId is required');
    const conv = assertSameTenant(author, await conversationById.first(trx, { id: requestedId }), 'conversation');
    if (conv.status !== 'open') throw new AppError('conversation_closed', 'conversation is resolved; reopen it to reply');
    return { id: conv.id, visitorId: conv.visitor_id, opened: false, created: false };
  }
  const now = Date.now();
  if (!newConversation) {
    let target: { id: string; status: string; visitor_id: string } | undefined;
    if (requestedId) {
      const conv = assertSameTenant(author, await conversationById.first(trx, { id: requestedId }), 'conversation');
      if (conv.visitor_id !== author.visitorId) {
        // Another browser's conversation: only one that proved the same verified identity; anything
        // else is "not found", like an id that does not exist.
        if (!(await sameSharedContact(trx, author.tenantId, conv.visitor_id, author.visitorId))) throw new AppError('not_found', 'conversation not found');
      }
      target = conv;
    } else {
      const latest = await latestOfVisitor.first(trx, { tenantId: author.tenantId, visitorId: author.visitorId });
      target = latest && { ...latest, visitor_id: author.visitorId };
    }
    if (target) {
      if (target.status === 'open') return { id: target.id, visitorId: target.visitor_id, opened: false, created: false };
      await trx.updateTable('conversations').set({ status: 'open', resolved_at: null, updated_at: now }).where('id', '=', target.id).execute();
      return { id: target.id, visitorId: target.visitor_id, opened: true, created: false };
    }
  }
  const id = newId('conv');
  await trx
    .insertInto('conversations')
    .values({ id, tenant_id: author.tenantId, visitor_id: author.visitorId, status: 'open', assignee_id: null, created_at: now, updated_at: now, resolved_at: null })
    .execute();
  return { id, visitorId: author.visitorId, opened: true, created: true };
}
