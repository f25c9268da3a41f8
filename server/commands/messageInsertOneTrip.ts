/**
 * PostgreSQL: the common case of storing a message in ONE statement, so one network round trip and
 * one implicit transaction instead of seven (begin, find conversation, dedupe check, take seq,
 * insert, search rows, commit). On a node talking to PostgreSQL every round trip is a wait on the
 * database and a context switch on both sides; this was most of a message's time there.
 *
 * The common case: the conversation exists and is open (a visitor's latest one, or the one an
 * agent or the bot names) and this clientId was not stored before. Anything else — the visitor's
 * first message, a resolved conversation, a retry, a conversation of another tenant — returns
 * nothing here and takes the general path (the write unit in messageStore.ts), which handles it and gives the
 * right error. A concurrent retry that slips past the dedupe check fails on the unique
 * (conversation_id, dedupe_key) constraint, exactly as in the general path.
 *
 * SQLite has no data-modifying CTEs and no round trips to save; it runs the general path, grouped,
 * on its writer thread (storage/groupCommit.ts).
 */
import { CompiledQuery } from 'kysely';
import type { Storage } from '../storage/db.js';
import { serverPreparedSql } from '../storage/preparedQuery.js';
import { markIndexed, unindexedWords } from '../storage/indexedWords.js';
import { blindToken } from '../security/blindIndex.js';
import type { StoreMessageInput, StoreMessageOutput } from './messageStore.js';

/**
 * `lookup` finds the conversation: $2 is the visitor id (their latest) or the conversation id. It is
 * a MATERIALIZED CTE, and the update names its row by id alone, so the planner can only use the
 * lookup's index and the primary key: given the tenant and status in the same WHERE, it preferred
 * (on a young table without statistics) an index on (tenant, status) and scanned every open
 * conversation of the tenant for each message.
 */
const statement = (lookup: string) =>
  serverPreparedSql(`
with target as materialized (${lookup}),
bumped as (
  update conversations c set last_seq = c.last_seq + 1, updated_at = $3::bigint
  where c.id = (select id from target where tenant_id = $1 and status = 'open')
    and ($4::text is null or c.id = $4)
    and not exists (select 1 from messages m where m.conversation_id = c.id and m.dedupe_key = $5)
  returning c.id, c.visitor_id, c.last_seq
),
inserted as (
  insert into messages (id, tenant_id, conversation_id, seq, client_id, dedupe_key, author_kind, author_id, author_name, body, internal, created_at, key_version, attachment)
  select $6, $1, bumped.id, bumped.last_seq, $7, $5, $8, $9, $10, $11, $12::integer, $3::bigint, $13::integer, $14 from bumped
  returning conversation_id, seq
),
searched as (
  insert into message_search (tenant_id, token, conversation_id, message_id)
  select $1, token, inserted.conversation_id, $6 from inserted, unnest($15::text[]) as token
  on conflict do nothing
)
select inserted.conversation_id, inserted.seq, bumped.visitor_id from inserted join bumped on bumped.id = inserted.conversation_id`);

const OF_VISITOR = statement(`select id, tenant_id, status from conversations where tenant_id = $1 and visitor_id = $2 order by created_at desc limit 1`);
const BY_ID = statement(`select id, tenant_id, status from conversations where id = $2`);

/**
 * Stores the message with its search tokens, or returns undefined when this is not the common case
 * (then the caller runs the write unit storeMessage, which handles it and gives the right error).
 */
export async function storeMessageInOneTrip(storage: Storage, input: StoreMessageInput): Promise<StoreMessageOutput | undefined> {
  const { author, sealed, words, conversationId: requestedId } = input;
  // A visitor's conversation is known only afterwards: all their words are sent.
  const fresh = author.kind === 'visitor' || !requestedId ? words : unindexedWords(storage, requestedId, words);
  const ofVisitor = author.kind === 'visitor';
  const query = CompiledQuery.raw(ofVisitor ? OF_VISITOR : BY_ID, [
    sealed.tenant_id,
    ofVisitor ? author.visitorId : (requestedId ?? ''),
    sealed.created_at,
    requestedId ?? null,
    sealed.dedupe_key,
    sealed.id,
    sealed.client_id,
    sealed.author_kind,
    sealed.author_id,
    sealed.author_name,
    sealed.body,
    sealed.internal,
    sealed.key_version,
    sealed.attachment,
    fresh.map((w) => blindToken(input.searchKey, w)),
  ]);
  const { rows } = await storage.db.executeQuery<{ conversation_id: string; seq: number; visitor_id: string }>(query);
  const stored = rows[0];
  if (!stored) return undefined;
  markIndexed(storage, stored.conversation_id, fresh);
  return { stored: { conversationId: stored.conversation_id, seq: stored.seq, visitorId: stored.visitor_id, conversationOpened: false, conversationCreated: false } };
}
