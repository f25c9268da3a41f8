/**
 * PostgreSQL: the common case of storing a message in ONE statement, so one network round trip and
 * one implicit transaction instead of seven (begin, find conversation, dedupe check, take seq,
 * insert, search rows, commit). On a node talking to PostgreSQL every round trip is a wait on the
 * database and a context switch on both sides; this was most of a message's time there.
 *
 * The common case: the conversation exists and is open (a visitor's latest one, or the one an
 * agent or the bot names) and this clientId was not stored before. Anything else — the visitor's
 * first message, a resolved conversation, a retry, a conversation of another tenant — returns
 * nothing here and takes the general path in messageCreator.ts, which handles it and gives the
 * right error. A concurrent retry that slips past the dedupe check fails on the unique
 * (conversation_id, dedupe_key) constraint, exactly as in the general path.
 *
 * SQLite has no data-modifying CTEs and no round trips to save; it uses the general path with
 * group commit (storage/groupCommit.ts).
 */
import { CompiledQuery } from 'kysely';
import type { Db } from '../storage/db.js';
import type { Message } from '../storage/schema.js';
import { serverPreparedSql } from '../storage/preparedQuery.js';

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

export type MessageDraft = Omit<Message, 'conversation_id' | 'seq'>;
/** Where the message went: its conversation, its seq there, and that conversation's visitor. */
export interface StoredInOneTrip {
  conversation_id: string;
  seq: number;
  visitor_id: string;
}

/**
 * Stores `sealed` (already sealed, see security/sealedFields.ts) with its search tokens, or returns
 * undefined when this is not the common case. `requestedId`: the conversation the client named.
 */
export async function insertMessageInOneTrip(
  db: Db,
  target: { visitorId: string } | { conversationId: string },
  requestedId: string | undefined,
  sealed: MessageDraft,
  tokens: string[],
): Promise<StoredInOneTrip | undefined> {
  const ofVisitor = 'visitorId' in target;
  const query = CompiledQuery.raw(ofVisitor ? OF_VISITOR : BY_ID, [
    sealed.tenant_id,
    ofVisitor ? target.visitorId : target.conversationId,
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
    tokens,
  ]);
  const { rows } = await db.executeQuery<StoredInOneTrip>(query);
  return rows[0];
}
