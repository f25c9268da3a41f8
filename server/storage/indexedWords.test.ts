import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import { searchConversations } from '../queries/searchQueries.js';
import type { Storage } from './db.js';
import { markIndexed, unindexedWords } from './indexedWords.js';

describe('indexed words cache', () => {
  it('knows only committed words, per conversation and per database', () => {
    const db1 = {} as Storage;
    const db2 = {} as Storage;
    expect(unindexedWords(db1, 'conv_a', ['order', 'late'])).toEqual(['order', 'late']);
    markIndexed(db1, 'conv_a', ['order']);
    expect(unindexedWords(db1, 'conv_a', ['order', 'late'])).toEqual(['late']);
    expect(unindexedWords(db1, 'conv_b', ['order'])).toEqual(['order']);
    expect(unindexedWords(db2, 'conv_a', ['order'])).toEqual(['order']);
    // Near-identical words are different entries.
    expect(unindexedWords(db1, 'conv_a', ['orders', 'ordre', 'Order'])).toEqual(['orders', 'ordre', 'Order']);
  });

  it('forgets the oldest entries beyond its bound', () => {
    const db = {} as Storage;
    markIndexed(db, 'conv_old', ['first']);
    markIndexed(db, 'conv_x', Array.from({ length: 50_000 }, (_, i) => `w${i}`));
    expect(unindexedWords(db, 'conv_old', ['first'])).toEqual(['first']);
    expect(unindexedWords(db, 'conv_x', ['w49999'])).toEqual([]);
  });
});

describe('search with the indexed words cache', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('finds words of later messages, repeated words, and the same words in other conversations', async () => {
    const tenant = await makeTenant(t);
    const agent = await makeAgent(t, tenant);
    const chat = async (lines: string[]) => {
      const { visitorId } = await visitorSession(t, tenant);
      let conversationId = '';
      for (const [i, body] of lines.entries()) conversationId = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: `c${i}`, body })).message.conversationId;
      return conversationId;
    };
    const a = await chat(['alpha bravo', 'bravo charlie', 'charlie delta bravo']);
    const b = await chat(['bravo echo']);
    // An agent's reply in conversation a (the agent path names its conversation up front).
    await createMessage(t.ctx, { kind: 'agent', tenantId: tenant.id, agent }, { clientId: 'r1', conversationId: a, body: 'bravo foxtrot' });
    const ids = async (q: string) => (await searchConversations(t.ctx, tenant.id, q)).map((c) => c.id).sort();
    expect(await ids('alpha delta')).toEqual([a]);
    expect(await ids('bravo')).toEqual([a, b].sort());
    expect(await ids('echo bravo')).toEqual([b]);
    expect(await ids('foxtrot charlie')).toEqual([a]);
    // One row per word and conversation, whatever the repetitions.
    const rows = await t.ctx.storage.db.selectFrom('message_search').select(['conversation_id']).where('tenant_id', '=', tenant.id).execute();
    expect(rows.filter((r) => r.conversation_id === a)).toHaveLength(5); // alpha bravo charlie delta foxtrot
    expect(rows.filter((r) => r.conversation_id === b)).toHaveLength(2);
  });
});
