/**
 * PostgreSQL: the common case of storing messages, several in ONE statement. Each message alone
 * would cost a network round trip, a transaction and its commit, and a context switch on both
 * sides (on a node with PostgreSQL on the same cores, the write that wakes the database was a third
 * of the node's profile). So the messages that arrive while a statement runs are written together
 * by the next one: one round trip and one commit for the lot, as SQLite's writer thread does with
 * its batches. No delay is added: a lone message goes at once.
 *
 * The common case: the conversation exists and is open (a visitor's latest one, or the one an
 * agent or the bot names) and this clientId was not stored before. Anything else — the visitor's
 * first message, a resolved conversation, a retry, a conversation of another tenant — gets no row
 * back here and takes the general path (the write unit in messageStore.ts), which handles it and
 * gives the right error.
 *
 * One statement updates a conversation at most once, so two messages for the same conversation
 * (the same visitor, or the same named conversation) are never written at the same time: the second
 * waits for the first's statement to end, which also keeps their order. Should two still meet (an
 * agent's reply and the visitor's message to the same conversation), the UPDATE ... FROM bumps the
 * row once, for one of them; the other gets no row back and takes the general path after it. A
 * statement that fails for any reason has written nothing, and its messages are then written one
 * statement each, where each gets its own outcome — a concurrent retry from another node fails on
 * the unique (conversation_id, dedupe_key) constraint, as in the general path.
 *
 * Every later step reads `bumped`, whose RETURNING carries the message's own columns: joining the
 * CTEs back together instead (which the planner, taking each CTE for one row, ran as nested loops)
 * cost a third of a 200-message statement.
 *
 * SQLite has no data-modifying CTEs and no round trips to save; it runs the general path, grouped,
 * on its writer thread (commands/groupCommit.ts).
 */
import { CompiledQuery } from 'kysely';
import type { Storage } from '../storage/db.js';
import { serverPreparedSql } from '../storage/preparedQuery.js';
import { markIndexed, unindexedWords } from '../storage/indexedWords.js';
import { blindToken } from '../security/blindIndex.js';
import { ACTIVITY_GRANULARITY_MS, type StoreMessageInput, type StoreMessageOutput } from './messageStore.js';

/**
 * One row of `input` per message (`ord` its place in the batch). The lookup is a MATERIALIZED CTE
 * and the update names its rows by id alone, so the planner can only use the lookup's indexes and
 * the primary key: given the tenant and status in the same WHERE, it preferred (on a young table
 * without statistics) an index on (tenant, status) and scanned every open conversation of the
 * tenant for each message.
 *
 * The search rows sent are those of the words not known to be indexed in the conversation the
 * message is expected to land in: a word already there cost an index probe ending in "on conflict do
 * nothing" (2,600 of 2,800 tokens of a 200-message statement in the bench, a third of its time,
 * auto_explain, 2026-12-06), and its token an HMAC on the node (~3.5 µs each, 16 words a message).
 */
const STATEMENT = serverPreparedSql(`
with input as (
  select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::int[], $15::text[])
    as i(ord, tenant_id, visitor_id, requested_id, created_at, dedupe_key, id, client_id, author_kind, author_id, author_name, body, internal, key_version, attachment)
),
target as materialized (
  select i.ord, l.id, l.tenant_id, l.status from input i
    cross join lateral (select id, tenant_id, status from conversations c where c.tenant_id = i.tenant_id and c.visitor_id = i.visitor_id order by created_at desc limit 1) l
    where i.visitor_id is not null
  union all
  select i.ord, c.id, c.tenant_id, c.status from input i join conversations c on c.id = i.requested_id
    where i.visitor_id is null
),
eligible as materialized (
  select i.*, t.id as conversation_id from input i join target t on t.ord = i.ord
  where t.tenant_id = i.tenant_id and t.status = 'open' and (i.requested_id is null or t.id = i.requested_id)
    and not exists (select 1 from messages m where m.conversation_id = t.id and m.dedupe_key = i.dedupe_key)
),
bumped as (
  update conversations c set last_seq = c.last_seq + 1,
    updated_at = case when c.updated_at <= e.created_at - ${ACTIVITY_GRANULARITY_MS} then e.created_at else c.updated_at end
  from eligible e where c.id = e.conversation_id
  returning e.ord, e.id, e.tenant_id, e.client_id, e.dedupe_key, e.author_kind, e.author_id, e.author_name, e.body, e.internal, e.created_at, e.key_version, e.attachment,
    c.id as conversation_id, c.visitor_id, c.last_seq as seq, c.snoozed
),
inserted as (
  insert into messages (id, tenant_id, conversation_id, seq, client_id, dedupe_key, author_kind, author_id, author_name, body, internal, created_at, key_version, attachment)
  select b.id, b.tenant_id, b.conversation_id, b.seq, b.client_id, b.dedupe_key, b.author_kind, b.author_id, b.author_name, b.body, b.internal, b.created_at, b.key_version, b.attachment
  from bumped b
),
searched as (
  insert into message_search (tenant_id, token, conversation_id, message_id)
  select b.tenant_id, s.token, b.conversation_id, b.id
  from unnest($16::text[], $17::int[]) as s(token, ord) join bumped b on b.ord = s.ord
  on conflict do nothing
)
select ord, conversation_id, seq, visitor_id, snoozed from bumped`);

/** At most this many messages in one statement (its arrays), and this many statements at once. */
const MAX_BATCH = 200;
const MAX_IN_FLIGHT = 2;
/** Visitors whose last conversation is remembered (a guess that only saves work: a wrong or missing one costs nothing but index probes). */
const MAX_REMEMBERED_VISITORS = 20_000;

interface Pending {
  input: StoreMessageInput;
  /** Messages sharing a key (the visitor, the conversation) are never in the same statement, and keep their order. */
  keys: string[];
  /** The conversation the message is expected to land in (named, or the visitor's last one). */
  assumed: string | undefined;
  /** The search words not yet indexed for `assumed` (all of them without one). */
  fresh: string[];
  /** The other words: indexed too, by a second statement, if the message lands in another conversation than `assumed`. */
  known: string[];
  resolve(out: StoreMessageOutput | undefined): void;
  reject(err: unknown): void;
}

class MessageBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Keys with a message in a statement now: their next message waits, so each key's messages keep their order. */
  private busy = new Set<string>();
  /** visitor → the conversation their last message here went to (bounded, oldest forgotten first). */
  private lastConversationOf = new Map<string, string>();

  constructor(private readonly storage: Storage) {}

  store(input: StoreMessageInput): Promise<StoreMessageOutput | undefined> {
    const { author, conversationId: requestedId, words } = input;
    const ofVisitor = author.kind === 'visitor';
    // A visitor's message goes to their latest conversation, known only in the statement: assumed to
    // be the one their last message went to, whose indexed words are known. Should it land elsewhere
    // (the visitor started another conversation meanwhile), the other words follow (indexElsewhere).
    const assumed = requestedId ?? (ofVisitor ? this.lastConversationOf.get(author.visitorId) : undefined);
    const fresh = assumed ? unindexedWords(this.storage, assumed, words) : words;
    const known = assumed && !requestedId && fresh.length < words.length ? without(words, fresh) : [];
    // Not in the same statement as another message of this visitor or for this conversation.
    const keys = [ofVisitor ? `v:${author.visitorId}` : '', assumed ? `c:${assumed}` : ''].filter(Boolean);
    return new Promise((resolve, reject) => {
      this.queue.push({ input, keys, assumed, fresh, known, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      // A message left waiting holds its keys for the rest of the queue, so no later one overtakes it.
      const waiting = new Set<string>();
      for (const p of this.queue) {
        if (batch.length < MAX_BATCH && !p.keys.some((k) => this.busy.has(k) || waiting.has(k))) {
          for (const k of p.keys) this.busy.add(k);
          batch.push(p);
        } else {
          for (const k of p.keys) waiting.add(k);
          rest.push(p);
        }
      }
      if (batch.length === 0) return;
      this.queue = rest;
      this.inFlight++;
      void this.write(batch).finally(() => {
        for (const p of batch) for (const k of p.keys) this.busy.delete(k);
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const stored = await this.run(batch);
      batch.forEach((p, i) => p.resolve(stored[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // Nothing of the statement was written: each message on its own, with its own outcome.
      await Promise.all(batch.map((p) => this.run([p]).then(([out]) => p.resolve(out), p.reject)));
    }
  }

  /** One statement for the batch: each message's outcome, in order (undefined: not the common case). */
  private async run(batch: Pending[]): Promise<Array<StoreMessageOutput | undefined>> {
    const tokens: string[] = [];
    const tokenOrds: number[] = [];
    batch.forEach((p, ord) => {
      for (const w of p.fresh) {
        tokens.push(blindToken(p.input.searchKey, w));
        tokenOrds.push(ord);
      }
    });
    const query = CompiledQuery.raw(STATEMENT, [
      batch.map((_p, ord) => ord),
      batch.map((p) => p.input.sealed.tenant_id),
      batch.map((p) => (p.input.author.kind === 'visitor' ? p.input.author.visitorId : null)),
      batch.map((p) => p.input.conversationId ?? null),
      batch.map((p) => p.input.sealed.created_at),
      batch.map((p) => p.input.sealed.dedupe_key),
      batch.map((p) => p.input.sealed.id),
      batch.map((p) => p.input.sealed.client_id),
      batch.map((p) => p.input.sealed.author_kind),
      batch.map((p) => p.input.sealed.author_id),
      batch.map((p) => p.input.sealed.author_name),
      batch.map((p) => p.input.sealed.body),
      batch.map((p) => p.input.sealed.internal),
      batch.map((p) => p.input.sealed.key_version),
      batch.map((p) => p.input.sealed.attachment ?? null),
      tokens,
      tokenOrds,
    ]);
    const { rows } = await this.storage.db.executeQuery<{ ord: number; conversation_id: string; seq: number; visitor_id: string; snoozed: number }>(query);
    const out: Array<StoreMessageOutput | undefined> = batch.map(() => undefined);
    await this.indexElsewhere(batch, rows);
    for (const r of rows) {
      const { input } = batch[r.ord]!;
      // Every word of the message is now indexed there: fresh ones inserted, the others already there or inserted by indexElsewhere.
      markIndexed(this.storage, r.conversation_id, input.words);
      if (input.author.kind === 'visitor') this.rememberConversation(input.author.visitorId, r.conversation_id);
      out[r.ord] = { stored: { conversationId: r.conversation_id, seq: r.seq, visitorId: r.visitor_id, conversationOpened: false, conversationCreated: false, snoozed: r.snoozed === 1 } };
    }
    return out;
  }

  /**
   * A visitor's message that landed in another conversation than the one expected (they started a
   * new one meanwhile): its words not sent with the statement are indexed there too, before the
   * message is acknowledged. Rare; one statement for the batch.
   */
  private async indexElsewhere(batch: Pending[], rows: Array<{ ord: number; conversation_id: string }>): Promise<void> {
    const missing = rows.flatMap((r) => {
      const p = batch[r.ord]!;
      if (p.known.length === 0 || r.conversation_id === p.assumed) return [];
      return p.known.map((w) => ({ tenant_id: p.input.sealed.tenant_id, token: blindToken(p.input.searchKey, w), conversation_id: r.conversation_id, message_id: p.input.sealed.id }));
    });
    if (missing.length) await this.storage.db.insertInto('message_search').values(missing).onConflict((oc) => oc.doNothing()).execute();
  }

  private rememberConversation(visitorId: string, conversationId: string): void {
    this.lastConversationOf.delete(visitorId);
    this.lastConversationOf.set(visitorId, conversationId);
    if (this.lastConversationOf.size > MAX_REMEMBERED_VISITORS) this.lastConversationOf.delete(this.lastConversationOf.keys().next().value!);
  }
}

/** `words` less `taken`, in order (a message has up to 200 words: a set, not a scan per word). */
function without(words: string[], taken: string[]): string[] {
  const drop = new Set(taken);
  return words.filter((w) => !drop.has(w));
}

const batchers = new WeakMap<Storage, MessageBatcher>();

/**
 * Stores the message with its search tokens, together with the messages that arrive meanwhile, or
 * returns undefined when this is not the common case (then the caller runs the write unit
 * storeMessage, which handles it and gives the right error).
 */
export function storeMessageBatched(storage: Storage, input: StoreMessageInput): Promise<StoreMessageOutput | undefined> {
  let batcher = batchers.get(storage);
  if (!batcher) batchers.set(storage, (batcher = new MessageBatcher(storage)));
  return batcher.store(input);
}
