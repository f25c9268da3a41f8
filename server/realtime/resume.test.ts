import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../protocol/limits.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import type { Agent, Tenant } from '../storage/schema.js';

/**
 * Issue 17 (4): a client resuming far behind got the first LIMITS.historyPageSize missed messages
 * and no sign that more existed. `ready` now says `more`, and `history` pages on, for visitors and
 * agents alike.
 */
describe('realtime: resume delivers everything missed, in pages', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agent: Agent;
  const sockets: TestSocket[] = [];
  const open = async (path: '/ws/visitor' | '/ws/agent', opts: { cookie?: string } = {}) => {
    const s = await TestSocket.open(t, path, opts);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    agent = await makeAgent(t, tenant);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  /** Follows `more` with `history` frames; returns every seq received and the number of pages. */
  const drain = async (ws: TestSocket, conversationId: string, first: { messages: Array<{ seq: number; conversationId: string }>; more: boolean }, named: boolean) => {
    const seqs = first.messages.filter((m) => m.conversationId === conversationId).map((m) => m.seq);
    let more = first.more;
    let pages = 1;
    while (more) {
      expect(pages, 'bounded').toBeLessThan(20);
      ws.send({ type: 'history', afterSeq: seqs[seqs.length - 1], ...(named ? { conversationId } : {}) });
      const page = await ws.next('history');
      expect(page.conversationId).toBe(conversationId);
      expect(page.messages.length).toBeLessThanOrEqual(LIMITS.historyPageSize);
      seqs.push(...page.messages.map((m: { seq: number }) => m.seq));
      more = page.more;
      pages++;
    }
    return { seqs, pages };
  };

  it('a visitor far behind gets every missed public message: ready says more, history pages until more is false', async () => {
    const { token } = await visitorSession(t, tenant);
    const first = await open('/ws/visitor');
    first.send({ type: 'hello', token });
    expect(await first.next('ready')).toMatchObject({ messages: [], more: false });
    first.send({ type: 'message.send', clientId: 'start', body: 'hello' });
    const conversationId = (await first.next('ack')).message.conversationId as string;
    first.close();

    // 2.25 pages of agent replies while the visitor is away, with private notes among them.
    const actor = { kind: 'agent' as const, tenantId: tenant.id, agent };
    for (let i = 0; i < 450; i++) await createMessage(t.ctx, actor, { clientId: `r${i}`, body: `reply ${i}`, conversationId, internal: i % 50 === 7 });
    const publicSeqs = (await t.ctx.storage.db.selectFrom('messages').select('seq').where('conversation_id', '=', conversationId).where('internal', '=', 0).where('seq', '>', 1).orderBy('seq').execute()).map((r) => Number(r.seq));
    expect(publicSeqs.length).toBe(441);

    const back = await open('/ws/visitor');
    back.send({ type: 'hello', token, lastSeq: 1 });
    const ready = await back.next('ready');
    expect(ready.messages.length).toBe(LIMITS.historyPageSize);
    expect(ready.more).toBe(true);
    const { seqs, pages } = await drain(back, conversationId, ready, false);
    expect(seqs).toEqual(publicSeqs);
    expect(pages).toBe(3);
    expect(back.frames.some((f) => (f.type === 'history' || f.type === 'ready') && f.messages.some((m: { internal: boolean }) => m.internal))).toBe(false);

    // Naming its own conversation works too; another visitor's conversation is not found.
    back.send({ type: 'history', conversationId, afterSeq: publicSeqs[publicSeqs.length - 2] });
    expect((await back.next('history')).messages.map((m: { seq: number }) => m.seq)).toEqual([publicSeqs[publicSeqs.length - 1]]);
    const other = await visitorSession(t, tenant);
    const stranger = await open('/ws/visitor');
    stranger.send({ type: 'hello', token: other.token });
    await stranger.next('ready');
    stranger.send({ type: 'history', conversationId, afterSeq: 0 });
    expect(await stranger.next('error')).toMatchObject({ code: 'not_found' });
    expect(stranger.frames.some((f) => f.type === 'history')).toBe(false);
  });

  it('an agent far behind gets every missed message, notes included: ready names the conversations with more', async () => {
    const { token } = await visitorSession(t, tenant);
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'start', body: 'hello' });
    const conversationId = (await visitor.next('ack')).message.conversationId as string;
    const actor = { kind: 'agent' as const, tenantId: tenant.id, agent };
    for (let i = 0; i < 420; i++) await createMessage(t.ctx, actor, { clientId: `r${i}`, body: `reply ${i}`, conversationId, internal: i % 3 === 0 });

    const { cookie } = await login(t, agent);
    const ws = await open('/ws/agent', { cookie });
    ws.send({ type: 'hello', lastSeqs: { [conversationId]: 1 } });
    const ready = await ws.next('ready');
    expect(ready.more).toEqual([conversationId]);
    const { seqs } = await drain(ws, conversationId, ready, true);
    expect(seqs).toEqual(Array.from({ length: 420 }, (_, i) => i + 2));

    const caughtUp = await open('/ws/agent', { cookie });
    caughtUp.send({ type: 'hello', lastSeqs: { [conversationId]: 400 } });
    expect(await caughtUp.next('ready')).toMatchObject({ more: [] });
  });
});
