import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley, dropSchemas } from '../testing/testParley.js';
import type { Agent, Tenant } from '../storage/schema.js';
import { openMessages } from '../security/sealedFields.js';
import { createMessage } from '../commands/messageCreator.js';
import { LIMITS } from '../../protocol/limits.js';

describe('realtime: visitor ↔ agent', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agent: Agent;
  let cookie: string;
  const sockets: TestSocket[] = [];
  const open = async (path: '/ws/visitor' | '/ws/agent', opts: { cookie?: string; origin?: string } = {}) => {
    const s = await TestSocket.open(t, path, opts);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    agent = await makeAgent(t, tenant);
    cookie = (await login(t, agent)).cookie;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('gives the sending socket its message once, in the ack; the visitor\'s other tab and the agent get it as an event', async () => {
    const agentWs = await open('/ws/agent', { cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    const { token } = await visitorSession(t, tenant, { name: 'Ada' });
    const tab1 = await open('/ws/visitor');
    const tab2 = await open('/ws/visitor');
    for (const tab of [tab1, tab2]) {
      tab.send({ type: 'hello', token });
      await tab.next('ready');
    }
    tab1.send({ type: 'message.send', clientId: 'c1', body: 'first' });
    const ack = await tab1.next('ack');
    expect((await tab2.next('message')).message.id).toBe(ack.message.id);
    expect((await agentWs.next('message')).message.id).toBe(ack.message.id);
    // The agent's own socket likewise: ack only; the visitor gets the reply as an event.
    agentWs.send({ type: 'message.send', clientId: 'a1', conversationId: ack.message.conversationId, body: 'reply' });
    const agentAck = await agentWs.next('ack');
    expect((await tab1.next('message')).message.id).toBe(agentAck.message.id);
    // A later frame on each sending socket proves nothing else was queued before it.
    tab1.send({ type: 'ping' });
    await tab1.next('pong');
    agentWs.send({ type: 'ping' });
    await agentWs.next('pong');
    expect(tab1.frames.filter((f) => f.type === 'message' && f.message.id === ack.message.id)).toEqual([]);
    expect(agentWs.frames.filter((f) => f.type === 'message' && f.message.id === agentAck.message.id)).toEqual([]);
  });

  it('acks a visitor message after commit and delivers it live to the agent', async () => {
    const agentWs = await open('/ws/agent', { cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');

    const { token } = await visitorSession(t, tenant, { name: 'Ada' });
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    const ready = await visitor.next('ready');
    expect(ready.conversation).toBeNull();

    visitor.send({ type: 'message.send', clientId: 'c1', body: 'Where is my order?' });
    const ack = await visitor.next('ack');
    expect(ack.message).toMatchObject({ seq: 1, clientId: 'c1', body: 'Where is my order?', author: { kind: 'visitor', name: 'Ada' } });
    // Committed before the ack: it is in the database now.
    const row = await t.ctx.storage.db.selectFrom('messages').selectAll().where('id', '=', ack.message.id).executeTakeFirst();
    // Stored sealed (encryption at rest): only the tenant's key opens it.
    expect(row?.body).not.toContain('order');
    const [opened] = await openMessages(t.ctx.keyring, [row!]);
    expect(opened!.body).toBe('Where is my order?');

    const conv = await agentWs.next('conversation');
    expect(conv.conversation.visitor.name).toBe('Ada');
    const live = await agentWs.next('message');
    expect(live.message.id).toBe(ack.message.id);

    agentWs.send({ type: 'message.send', clientId: 'a1', conversationId: ack.message.conversationId, body: 'Let me check.' });
    expect((await agentWs.next('ack')).message.seq).toBe(2);
    const reply = await visitor.next((f) => f.type === 'message' && f.message.author.kind === 'agent');
    expect(reply.message.body).toBe('Let me check.');
  });

  it('deduplicates a retried send and never shows private notes to the visitor', async () => {
    const { token } = await visitorSession(t, tenant);
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'same', body: 'hello' });
    const first = await visitor.next('ack');
    visitor.send({ type: 'message.send', clientId: 'same', body: 'hello' });
    const second = await visitor.next('ack');
    expect(second.message.id).toBe(first.message.id);
    const count = await t.ctx.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);

    const agentWs = await open('/ws/agent', { cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    const conversationId = first.message.conversationId;
    agentWs.send({ type: 'message.send', clientId: 'n1', conversationId, body: 'VIP customer', internal: true });
    await agentWs.next('ack');
    agentWs.send({ type: 'message.send', clientId: 'r1', conversationId, body: 'Hi there' });
    await agentWs.next('ack');
    const got = await visitor.next((f) => f.type === 'message' && f.message.author.kind === 'agent');
    expect(got.message.body).toBe('Hi there');
    expect(visitor.frames.some((f) => f.type === 'message' && f.message.internal)).toBe(false);

    // Reconnecting visitor gets public history only.
    const again = await open('/ws/visitor');
    again.send({ type: 'hello', token, lastSeq: 0 });
    const ready = await again.next('ready');
    expect(ready.messages.map((m: { body: string }) => m.body)).toEqual(['hello', 'Hi there']);
  });

  it('resumes from the last seq seen: nothing lost, nothing repeated', async () => {
    const { token } = await visitorSession(t, tenant);
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    for (let i = 1; i <= 3; i++) {
      visitor.send({ type: 'message.send', clientId: `m${i}`, body: `message ${i}` });
      await visitor.next('ack');
    }
    visitor.close();
    // While the visitor is away the agent answers twice.
    const conversation = await t.ctx.storage.db.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
    const { headers } = await login(t, agent);
    for (const [i, body] of ['one', 'two'].entries()) {
      const res = await t.app.inject({ method: 'POST', url: `/api/conversations/${conversation.id}/messages`, headers, payload: { clientId: `x${i}`, body } });
      expect(res.statusCode).toBe(201);
    }
    const back = await open('/ws/visitor');
    back.send({ type: 'hello', token, lastSeq: 3 });
    const ready = await back.next('ready');
    expect(ready.messages.map((m: { seq: number; body: string }) => [m.seq, m.body])).toEqual([
      [4, 'one'],
      [5, 'two'],
    ]);
  });

  it('keeps the whole history across a server restart', async () => {
    const { token } = await visitorSession(t, tenant);
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'before', body: 'before restart' });
    await visitor.next('ack');
    visitor.close();
    await t.close();
    t = await t.restart();
    const { restart: _r, ...rest } = t;
    void rest;
    // The restarted node is not listening yet in this helper; use in-process HTTP for history.
    const agentCookie = await login(t, agent);
    const list = await t.app.inject({ method: 'GET', url: '/api/conversations?view=all', headers: agentCookie.headers });
    const [conv] = list.json().items;
    const msgs = await t.app.inject({ method: 'GET', url: `/api/conversations/${conv.id}/messages`, headers: agentCookie.headers });
    expect(msgs.json().items.map((m: { body: string }) => m.body)).toEqual(['before restart']);
  });

  it('agent hello with lastSeqs returns what the console missed', async () => {
    const { token } = await visitorSession(t, tenant);
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'a', body: 'first' });
    const ack = await visitor.next('ack');
    visitor.send({ type: 'message.send', clientId: 'b', body: 'second' });
    await visitor.next('ack');
    const agentWs = await open('/ws/agent', { cookie });
    agentWs.send({ type: 'hello', lastSeqs: { [ack.message.conversationId]: 1 } });
    const ready = await agentWs.next('ready');
    expect(ready.messages.map((m: { body: string }) => m.body)).toEqual(['second']);
  });

  it('relays typing both ways', async () => {
    const { token } = await visitorSession(t, tenant);
    const visitor = await open('/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'a', body: 'hi' });
    const ack = await visitor.next('ack');
    const agentWs = await open('/ws/agent', { cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    visitor.send({ type: 'typing', on: true });
    expect(await agentWs.next('typing')).toMatchObject({ from: 'visitor', on: true, conversationId: ack.message.conversationId });
    agentWs.send({ type: 'typing', conversationId: ack.message.conversationId, on: true });
    expect(await visitor.next('typing')).toMatchObject({ from: 'agent', on: true });
  });

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

  // Issue 17 (4): a client resuming far behind got the first page of what it missed and no sign of more.
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
