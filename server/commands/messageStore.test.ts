import { afterEach, describe, expect, it, vi } from 'vitest';
import BetterSqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { join } from 'node:path';
import { cleanupTestParley, dialectUnderTest, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { cachingStatements, openSqlite, syncStatements } from '../storage/dialects/sqlite.js';
import type { SyncStatements } from '../storage/preparedQuery.js';
import type { Database } from '../storage/schema.js';
import { runBatch, type Outcome, type WriteUnit } from '../storage/writeUnit.js';
import { AppError } from '../errors.js';
import { newId } from '../security/ids.js';
import { normaliseWords } from '../security/blindIndex.js';
import { createMessage } from './messageCreator.js';
import { storeMessage, type StoreMessageInput } from './messageStore.js';

/**
 * SQLite's writer thread runs a message's common case synchronously on its connection
 * (UnitContext.statements); everything else takes the general path. These run one batch of
 * runBatch, as the thread does, on two copies of the same database: with the statements and
 * without them (the general path only), and compare everything.
 */
describe.runIf(dialectUnderTest() === 'sqlite')('storing a message on the writer thread’s connection', () => {
  let t: TestParley | undefined;
  const open: Array<{ close(): void }> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of open.splice(0)) c.close();
    if (t) await cleanupTestParley(t);
    t = undefined;
  });

  /** A copy of the test node's database, opened the way the writer thread opens its own (sqliteWriterThread.ts). */
  function copyOf(name: string) {
    const file = join(t!.dataDir, `${name}.sqlite`);
    const source = new BetterSqlite(join(t!.dataDir, 'parley.sqlite'), { readonly: true });
    source.exec(`vacuum into '${file}'`);
    source.close();
    const connection = openSqlite(file);
    const cache = cachingStatements(connection);
    open.push(connection);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cache }) });
    let calls = 0;
    const real = syncStatements(cache);
    const statements: SyncStatements = { all: (sql, params) => (calls++, real.all(sql, params)), isUniqueViolation: real.isUniqueViolation };
    return { db, statements, calls: () => calls, database: {} };
  }

  /** What messageCreator hands the unit (the body need not be sealed for storage). */
  function draft(tenantId: string, author: StoreMessageInput['author'], clientId: string, body: string, createdAt: number, extra: Partial<StoreMessageInput> = {}): StoreMessageInput {
    const authorId = author.kind === 'visitor' ? author.visitorId : 'agent_x';
    return {
      author,
      sealed: {
        id: newId('msg'),
        tenant_id: tenantId,
        client_id: clientId,
        dedupe_key: `${author.kind}:${authorId}:${clientId}`,
        author_kind: author.kind,
        author_id: authorId,
        author_name: 'Someone',
        body,
        internal: 0,
        created_at: createdAt,
        key_version: 1,
        attachment: null,
      },
      words: normaliseWords(body),
      searchKey: new Uint8Array(32).fill(7),
      ...extra,
    };
  }

  /** Outcomes and rows, with conversation ids created in the batch (random) named by their order among the outcomes. */
  async function result(db: Kysely<Database>, outcomes: Outcome[], known: Set<string>) {
    const renamed = new Map<string, string>();
    for (const o of outcomes) {
      const id = o.ok ? (o.value as { stored?: { conversationId: string } }).stored?.conversationId : undefined;
      if (id && !known.has(id) && !renamed.has(id)) renamed.set(id, `new${renamed.size + 1}`);
    }
    const rename = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/conv_[A-Za-z0-9_-]+/g, (id) => renamed.get(id) ?? id)) as unknown;
    const outcome = (o: Outcome) => (o.ok ? o.value : o.error instanceof AppError ? { code: o.error.code } : { error: String(o.error) });
    return rename({
      outcomes: outcomes.map(outcome),
      conversations: await db.selectFrom('conversations').selectAll().orderBy('visitor_id').orderBy('created_at').execute(),
      messages: await db.selectFrom('messages').selectAll().orderBy('id').execute(),
      search: await db.selectFrom('message_search').selectAll().orderBy('token').orderBy('conversation_id').execute(),
    });
  }

  it('gives the same outcomes and rows as the general path, common and uncommon cases mixed in one batch', async () => {
    t = await startTestParley();
    const tenant = await makeTenant(t);
    const vs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => visitorSession(t!, tenant)));
    const visitor = (i: number) => ({ kind: 'visitor' as const, tenantId: tenant.id, visitorId: vs[i]!.visitorId });
    const first = await Promise.all([0, 1, 2, 3].map((i) => createMessage(t!.ctx, visitor(i), { clientId: 'first', body: 'hello there' })));
    const [a, b, c, d] = first.map((r) => r.message.conversationId);
    const db = t.ctx.storage.db;
    await db.updateTable('conversations').set({ status: 'resolved', resolved_at: 1 }).where('id', 'in', [c!, d!]).execute();
    // a was active long ago (its place in the inbox moves); b just now (it stays).
    const now = Date.now();
    await db.updateTable('conversations').set({ updated_at: now - 60_000 }).where('id', '=', a!).execute();
    await db.updateTable('conversations').set({ updated_at: now + 1 }).where('id', '=', b!).execute();
    const known = new Set((await db.selectFrom('conversations').select('id').execute()).map((r) => r.id));
    const agentAuthor = { kind: 'agent' as const, tenantId: tenant.id };

    const inputs = [
      draft(tenant.id, visitor(0), 'm1', 'zebra parcel hello', now), // common: the visitor's latest, stale (touched)
      draft(tenant.id, visitor(1), 'm1', 'zebra lantern', now, { conversationId: b }), // common: named by the visitor, not stale
      draft(tenant.id, agentAuthor, 'r1', 'a reply', now, { conversationId: a }), // common: an agent's reply
      draft(tenant.id, visitor(0), 'first', 'hello there', now), // a retry of a stored message: duplicate, no seq used
      draft(tenant.id, visitor(0), 'm2', 'twice sent', now),
      draft(tenant.id, visitor(0), 'm2', 'twice sent', now), // a retry in the same batch
      draft(tenant.id, visitor(2), 'm1', 'back again', now), // resolved: reopened (general path)
      draft(tenant.id, agentAuthor, 'r2', 'refused', now, { conversationId: d }), // resolved, agent: conversation_closed
      draft(tenant.id, agentAuthor, 'r3', 'refused', now, { conversationId: 'conv_nope' }), // not_found
      draft(tenant.id, visitor(4), 'm1', 'first words', now), // no conversation yet: created
      draft(tenant.id, visitor(1), 'm2', 'another matter', now, { newConversation: true }), // a new one
      draft(tenant.id, visitor(1), 'm3', 'in the new one', now), // now the latest: common
      draft(tenant.id, visitor(5), 'm1', 'not mine', now, { conversationId: a }), // someone else's: not_found
    ];
    const jobs = inputs.map((input) => ({ unit: storeMessage as WriteUnit<unknown, unknown>, input }));
    // resolveConversation takes its time from the clock: the same in both runs.
    vi.spyOn(Date, 'now').mockReturnValue(now + 5);

    const fast = copyOf('fast');
    const general = copyOf('general');
    const withStatements = await runBatch(fast.db, jobs, fast.database, fast.statements);
    const without = await runBatch(general.db, jobs, general.database);
    expect(fast.calls()).toBeGreaterThan(0); // the fast path did run
    const expected = await result(general.db, without, known);
    expect(await result(fast.db, withStatements, known)).toEqual(expected);

    // And what the general path gave is what it should: checked here so the comparison compares something.
    const outs = (expected as { outcomes: Array<Record<string, unknown>> }).outcomes;
    expect(outs.map((o) => ('stored' in o ? 'stored' : 'duplicate' in o ? 'duplicate' : o.code))).toEqual([
      'stored', 'stored', 'stored', 'duplicate', 'stored', 'duplicate', 'stored', 'conversation_closed', 'not_found', 'stored', 'stored', 'stored', 'not_found',
    ]);
    const conv = (id: string) => (expected as { conversations: Array<{ id: string; last_seq: number; updated_at: number }> }).conversations.find((x) => x.id === id)!;
    expect([conv(a!).last_seq, conv(a!).updated_at]).toEqual([4, now]); // hello, m1, r1, m2: the retries took no seq
    expect([conv(b!).last_seq, conv(b!).updated_at]).toEqual([2, now + 1]);
  });

  it('rolls back a unit that fails after the fast path wrote, alone, with its search rows', async () => {
    t = await startTestParley();
    const tenant = await makeTenant(t);
    const vs = await Promise.all([1, 2, 3].map(() => visitorSession(t!, tenant)));
    const visitor = (i: number) => ({ kind: 'visitor' as const, tenantId: tenant.id, visitorId: vs[i]!.visitorId });
    const first = await Promise.all([0, 1, 2].map((i) => createMessage(t!.ctx, visitor(i), { clientId: 'first', body: 'hello' })));
    const now = Date.now();
    const failing: WriteUnit<StoreMessageInput, unknown> = async (trx, input, ctx) => {
      await storeMessage(trx, input, ctx);
      throw new Error('failed after its insert');
    };
    const store = storeMessage as WriteUnit<unknown, unknown>;
    const jobs = [
      { unit: store, input: draft(tenant.id, visitor(0), 'm1', 'kept one', now) },
      { unit: failing as WriteUnit<unknown, unknown>, input: draft(tenant.id, visitor(1), 'm1', 'walrus', now) },
      { unit: store, input: draft(tenant.id, visitor(2), 'm1', 'kept two', now) },
      { unit: store, input: draft(tenant.id, visitor(0), 'm2', 'kept three', now) },
    ];
    const copy = copyOf('batch');
    const outcomes = await runBatch(copy.db, jobs, copy.database, copy.statements);
    expect(copy.calls()).toBeGreaterThan(0);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    expect(String((outcomes[1] as { error: unknown }).error)).toContain('failed after its insert');
    const seqs = await copy.db.selectFrom('conversations').select(['id', 'last_seq']).where('tenant_id', '=', tenant.id).execute();
    const seqOf = (i: number) => seqs.find((r) => r.id === first[i]!.message.conversationId)!.last_seq;
    expect([seqOf(0), seqOf(1), seqOf(2)]).toEqual([3, 1, 2]);
    const bodies = await copy.db.selectFrom('messages').select('body').where('tenant_id', '=', tenant.id).where('client_id', '!=', 'first').orderBy('body').execute();
    expect(bodies.map((r) => r.body)).toEqual(['kept one', 'kept three', 'kept two']);
    const searchRows = await copy.db.selectFrom('message_search').select('conversation_id').where('conversation_id', '=', first[1]!.message.conversationId).execute();
    expect(searchRows).toHaveLength(1); // "hello" from before; not "walrus"
  });
});
