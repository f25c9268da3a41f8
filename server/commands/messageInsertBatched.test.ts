import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dialectUnderTest, dropSchemas, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { countingQueries } from '../testing/countingQueries.js';
import { createMessage } from './messageCreator.js';
import { storeMessageBatched } from './messageInsertBatched.js';
import { groupCommit } from './groupCommit.js';
import type { StoreMessageInput } from './messageStore.js';
import { newId } from '../security/ids.js';
import { sealMessage } from '../security/sealedFields.js';
import { normaliseWords } from '../security/blindIndex.js';
import { searchConversations } from '../queries/searchQueries.js';

const BATCH_SQL = 'with input as';

// PostgreSQL only: SQLite writes messages in batches on its writer thread (storage/sqliteWriter.test.ts).
describe.runIf(dialectUnderTest() === 'postgres')('messages written together on PostgreSQL', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  /** A message as messageCreator hands it to storage, for a visitor or for an agent's reply. */
  async function draft(tenantId: string, author: StoreMessageInput['author'], clientId: string, body: string, conversationId?: string): Promise<StoreMessageInput> {
    const dataKey = await t.ctx.keyring.dataKey(tenantId);
    const kind = author.kind;
    const authorId = author.kind === 'visitor' ? author.visitorId : 'agent_x';
    const message = {
      id: newId('msg'),
      tenant_id: tenantId,
      client_id: clientId,
      dedupe_key: `${kind}:${authorId}:${clientId}`,
      author_kind: kind,
      author_id: authorId,
      author_name: 'Someone',
      body,
      internal: 0,
      created_at: Date.now(),
      key_version: dataKey.version,
      attachment: null,
    };
    return { author, conversationId, sealed: sealMessage(dataKey, message), words: normaliseWords(body), searchKey: await t.ctx.keyring.searchKey(tenantId) };
  }

  it('writes the messages that arrive while statements run in one statement, each with its own seq and search rows', async () => {
    const tenant = await makeTenant(t);
    const visitors = await Promise.all(Array.from({ length: 12 }, () => visitorSession(t, tenant)));
    const actors = visitors.map(({ visitorId }) => ({ kind: 'visitor' as const, tenantId: tenant.id, visitorId }));
    await Promise.all(actors.map((a, i) => createMessage(t.ctx, a, { clientId: `first${i}`, body: `hello ${i}` })));

    const db = t.ctx.storage.db;
    const statements = countingQueries(db, BATCH_SQL);
    t.ctx.storage.db = statements.db;
    let second;
    try {
      second = await Promise.all(actors.map((a, i) => createMessage(t.ctx, a, { clientId: `second${i}`, body: `zebra${i} parcel` })));
    } finally {
      t.ctx.storage.db = db;
    }
    // Two go at once; the other ten arrive while those run and share the third statement.
    expect(statements.count()).toBe(3);
    expect(second.map((r) => r.message.seq)).toEqual(Array(12).fill(2));
    expect(second.map((r) => r.message.body)).toEqual(actors.map((_a, i) => `zebra${i} parcel`));
    const rows = await db.selectFrom('messages').select(['conversation_id', 'seq', 'client_id']).where('tenant_id', '=', tenant.id).where('seq', '=', 2).execute();
    expect(rows.map((r) => r.client_id).sort()).toEqual(actors.map((_a, i) => `second${i}`).sort());
    // Each message's words are in the index under its own conversation.
    for (const i of [0, 5, 11]) {
      const found = await searchConversations(t.ctx, tenant.id, `zebra${i}`);
      expect(found.map((c) => c.id)).toEqual([second[i]!.message.conversationId]);
    }
  });

  it('indexes a visitor’s words again when the message lands in another conversation than their last one', async () => {
    const tenant = await makeTenant(t);
    const { visitorId } = await visitorSession(t, tenant);
    const me = { kind: 'visitor' as const, tenantId: tenant.id, visitorId };
    await createMessage(t.ctx, me, { clientId: 'c1', body: 'hello' });
    // Batched: the node now takes "walrus" and "lantern" as indexed in the visitor's first conversation.
    const first = await createMessage(t.ctx, me, { clientId: 'c2', body: 'walrus lantern' });
    // A second conversation (the general path), then the same words, batched, to the visitor's latest: the second.
    const second = await createMessage(t.ctx, me, { clientId: 'c3', body: 'another question', newConversation: true });
    expect(second.message.conversationId).not.toBe(first.message.conversationId);
    const again = await createMessage(t.ctx, me, { clientId: 'c4', body: 'walrus lantern' });
    expect(again.message.conversationId).toBe(second.message.conversationId);
    for (const word of ['walrus', 'lantern']) {
      const found = await searchConversations(t.ctx, tenant.id, word);
      expect(found.map((c) => c.id).sort()).toEqual([first.message.conversationId, second.message.conversationId].sort());
    }
  });

  it('writes one visitor’s messages in order, and leaves one of a reply and a visitor’s message that meet in one statement to the general path', async () => {
    const tenant = await makeTenant(t);
    const [a, b, v] = await Promise.all([1, 2, 3].map(() => visitorSession(t, tenant)));
    const first = await Promise.all([a!, b!, v!].map(({ visitorId }, i) => createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: `first${i}`, body: 'hi' })));
    const conversation = first[2]!.message.conversationId;
    const visitorOf = (x: { visitorId: string }) => ({ kind: 'visitor' as const, tenantId: tenant.id, visitorId: x.visitorId });
    const inputs = [
      // Two statements at once, for other visitors; everything after them waits for the next.
      await draft(tenant.id, visitorOf(a!), 'a2', 'filler'),
      await draft(tenant.id, visitorOf(b!), 'b2', 'filler'),
      // The same visitor twice: the second waits for the first's statement to end.
      await draft(tenant.id, visitorOf(v!), 'v2', 'from the visitor'),
      await draft(tenant.id, visitorOf(v!), 'v3', 'again from the visitor'),
      // A reply to that conversation, named by id: it meets the visitor's message in one statement.
      await draft(tenant.id, { kind: 'agent', tenantId: tenant.id }, 'r1', 'the reply', conversation),
    ];
    const db = t.ctx.storage.db;
    const statements = countingQueries(db, BATCH_SQL);
    t.ctx.storage.db = statements.db;
    let out;
    try {
      out = await Promise.all(inputs.map((input) => storeMessageBatched(t.ctx.storage, input)));
    } finally {
      t.ctx.storage.db = db;
    }
    // 2 at once, then [v2, r1]: the conversation is bumped once, for one of them; then v3.
    expect(statements.count()).toBe(4);
    const batched = out.map((o) => (o && 'stored' in o ? o.stored : undefined));
    const left = batched.flatMap((s, i) => (s ? [] : [i]));
    expect(left.length).toBe(1);
    expect([2, 4]).toContain(left[0]); // v2 or r1, never the others
    // The caller (messageCreator) writes it by the general path, as any message not in the common case.
    const general = await groupCommit(t.ctx.storage, 'storeMessage', inputs[left[0]!]!);
    const stored = batched.map((s) => s ?? ('stored' in general ? general.stored : undefined));
    expect(stored.every(Boolean)).toBe(true);
    const seqs = stored.slice(2).map((s) => s!.seq);
    expect(new Set(seqs).size).toBe(3);
    expect(seqs.slice().sort()).toEqual([2, 3, 4]);
    if (left[0] === 4) expect(seqs[0]).toBeLessThan(seqs[1]!); // the visitor's two messages in the order sent
    const rows = await db.selectFrom('messages').select(['client_id', 'seq']).where('conversation_id', '=', conversation).orderBy('seq').execute();
    expect(rows.map((r) => r.client_id).sort()).toEqual(['first2', 'r1', 'v2', 'v3']);
    const conv = await db.selectFrom('conversations').select('last_seq').where('id', '=', conversation).executeTakeFirstOrThrow();
    expect(conv.last_seq).toBe(4);
  });

  it('returns nothing for what is not the common case, and a retry in the same statement as others is not stored twice', async () => {
    const tenant = await makeTenant(t);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => visitorSession(t, tenant)));
    const visitorOf = (x: { visitorId: string }) => ({ kind: 'visitor' as const, tenantId: tenant.id, visitorId: x.visitorId });
    await createMessage(t.ctx, visitorOf(a!), { clientId: 'a1', body: 'hi' });
    await createMessage(t.ctx, visitorOf(b!), { clientId: 'b1', body: 'hi' });
    const other = await makeTenant(t);
    const ofA = await t.ctx.storage.db.selectFrom('conversations').select('id').where('visitor_id', '=', a!.visitorId).executeTakeFirstOrThrow();
    const inputs = [
      await draft(tenant.id, visitorOf(a!), 'a2', 'one'),
      await draft(tenant.id, visitorOf(b!), 'b2', 'two'),
      // No conversation yet: the general path opens one.
      await draft(tenant.id, visitorOf(c!), 'c1', 'first ever'),
      // A retry of a1, batched with others: not stored again (the general path returns the original).
      await draft(tenant.id, visitorOf(a!), 'a1', 'hi'),
      // Another tenant's conversation named by id: not found here.
      await draft(other.id, { kind: 'agent', tenantId: other.id }, 'x1', 'no', ofA.id),
    ];
    const out = await Promise.all(inputs.map((input) => storeMessageBatched(t.ctx.storage, input)));
    expect(out.map((o) => (o && 'stored' in o ? o.stored.seq : o))).toEqual([2, 2, undefined, undefined, undefined]);
    const count = await t.ctx.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(4);
  });
});
