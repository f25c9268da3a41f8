/**
 * docs/API-CONTRACT.md answers an integrator's WebSocket questions (issue 18 item 3); each answer
 * is checked here against a live node, so the document cannot drift from what the server does:
 * Origin must equal PUBLIC_URL, `hello` without `lastSeq`, whether senders get their own message
 * back, how a visitor learns its conversationId, several sockets per token, and the agent socket's
 * credentials.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import type { Tenant } from '../storage/schema.js';

const contract = readFileSync(new URL('../../docs/API-CONTRACT.md', import.meta.url), 'utf8');

describe('API-CONTRACT.md: the WebSocket answers hold on a live node', () => {
  let t: TestParley;
  let tenant: Tenant;
  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const visitorSocket = async (token: string, hello: Record<string, unknown> = {}) => {
    const ws = await TestSocket.open(t, '/ws/visitor');
    ws.send({ type: 'hello', token, ...hello });
    return { ws, ready: await ws.next('ready') };
  };

  it('Origin: only PUBLIC_URL\'s origin may open either socket; others are closed with 4003', async () => {
    expect(contract).toMatch(/`Origin` header equals the\s+origin of `PUBLIC_URL`/);
    for (const path of ['/ws/visitor', '/ws/agent'] as const) {
      for (const origin of ['https://shop.example', 'http://localhost:1', '']) {
        const ws = await TestSocket.open(t, path, { origin });
        expect((await ws.closed).code, `${path} from ${origin || 'no origin'}`).toBe(4003);
      }
    }
    // Control: the right origin is accepted.
    const { token } = await visitorSession(t, tenant);
    const { ready } = await visitorSocket(token);
    expect(ready.type).toBe('ready');
  });

  it('agent socket: the console session cookie, else closed with 4001', async () => {
    const ws = await TestSocket.open(t, '/ws/agent');
    ws.send({ type: 'hello' });
    expect((await ws.closed).code).toBe(4001);
    const agent = await makeAgent(t, tenant);
    const ok = await TestSocket.open(t, '/ws/agent', { cookie: (await login(t, agent)).cookie });
    ok.send({ type: 'hello' });
    expect((await ok.next('ready')).messages).toEqual([]); // hello without lastSeqs: nothing old, live events from now
    ok.close();
  });

  it('agent socket with an integration\'s API key: conversations:read to listen, :write to send; never presence; audited under the key; one tenant only', async () => {
    const admin = await makeAgent(t, tenant, 'admin');
    const s = await login(t, admin);
    const readKey = await makeApiKey(t, s, ['conversations:read']);
    const writeKey = await makeApiKey(t, s, ['conversations:read', 'conversations:write']);
    const noScope = await makeApiKey(t, s, ['content:read']);
    // Refusals at the door: a key without the scope (4003), a wrong key (4001).
    const weak = await TestSocket.open(t, '/ws/agent', { apiKey: noScope });
    expect((await weak.next('error')).message).toContain('conversations:read');
    expect((await weak.closed).code).toBe(4003);
    const wrong = await TestSocket.open(t, '/ws/agent', { apiKey: 'pk_' + 'x'.repeat(40) });
    expect((await wrong.closed).code).toBe(4001);
    // Another tenant's key hears nothing of this tenant.
    const other = await makeTenant(t);
    const otherKey = await makeApiKey(t, await login(t, await makeAgent(t, other, 'admin')), ['conversations:read']);

    const listener = await TestSocket.open(t, '/ws/agent', { apiKey: readKey });
    listener.send({ type: 'hello' });
    await listener.next('ready');
    const writer = await TestSocket.open(t, '/ws/agent', { apiKey: writeKey });
    writer.send({ type: 'hello' });
    await writer.next('ready');
    const stranger = await TestSocket.open(t, '/ws/agent', { apiKey: otherKey });
    stranger.send({ type: 'hello' });
    await stranger.next('ready');
    // A key socket is not the agent at their desk.
    const online = await t.ctx.storage.db.selectFrom('agent_sockets').selectAll().execute();
    expect(online).toEqual([]);

    const { token } = await visitorSession(t, tenant);
    const { ws: visitor } = await visitorSocket(token);
    visitor.send({ type: 'message.send', clientId: 'v1', body: 'order 1234?' });
    const conversationId = (await visitor.next('ack')).message.conversationId as string;
    expect((await listener.next('message')).message.body).toBe('order 1234?');
    listener.send({ type: 'message.send', clientId: 'k1', conversationId, body: 'no write scope' });
    const refused = await listener.next('error');
    expect(refused).toMatchObject({ code: 'forbidden', clientId: 'k1' });
    writer.send({ type: 'message.send', clientId: 'k2', conversationId, body: 'Shipped today' });
    expect((await writer.next('ack')).message.author).toMatchObject({ kind: 'agent', id: admin.id });
    expect((await visitor.next('message')).message.body).toBe('Shipped today');
    await new Promise((r) => setTimeout(r, 100));
    expect(stranger.frames.filter((f) => f.type === 'message')).toEqual([]);
    // What the key read live is in the access audit under the key.
    const audit = await t.ctx.storage.db.selectFrom('audit_log').select(['actor_kind', 'action']).where('action', '=', 'conversation.live').execute();
    expect(audit.map((a) => a.actor_kind)).toContain('api_key');
    for (const x of [listener, writer, stranger, visitor]) x.close();
  });

  it('conversationId, own messages, hello without lastSeq and several sockets per token, as documented', async () => {
    const agent = await makeAgent(t, tenant);
    const agentWs = await TestSocket.open(t, '/ws/agent', { cookie: (await login(t, agent)).cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    const { token } = await visitorSession(t, tenant);
    // Before any message: no conversation yet.
    const tab1 = await visitorSocket(token);
    expect(tab1.ready.conversation).toBeNull();
    // A second socket on the same token (another tab) is allowed.
    const tab2 = await visitorSocket(token);

    tab1.ws.send({ type: 'message.send', clientId: 'c1', body: 'first' });
    const ack = await tab1.ws.next('ack');
    const conversationId = ack.message.conversationId as string;
    expect(conversationId).toMatch(/\S/);
    // The conversation event carries the same id.
    expect((await tab1.ws.next('conversation')).conversation.id).toBe(conversationId);
    // The other tab and the agent get it as a `message` event; the sender only in its ack.
    expect((await tab2.ws.next('message')).message.id).toBe(ack.message.id);
    expect((await agentWs.next('message')).message.id).toBe(ack.message.id);
    agentWs.send({ type: 'message.send', clientId: 'a1', conversationId, body: 'hello from support' });
    const agentAck = await agentWs.next('ack');
    expect((await tab1.ws.next('message')).message.id).toBe(agentAck.message.id);
    await new Promise((r) => setTimeout(r, 100)); // time for a wrong echo to arrive
    expect(tab1.ws.frames.filter((f) => f.type === 'message' && f.message.id === ack.message.id)).toEqual([]);
    expect(agentWs.frames.filter((f) => f.type === 'message' && f.message.id === agentAck.message.id)).toEqual([]);

    // A later connection without lastSeq: the latest conversation and its messages from the first.
    const later = await visitorSocket(token);
    expect(later.ready.conversation.id).toBe(conversationId);
    expect(later.ready.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2]);
    expect(later.ready.more).toBe(false);
    // Same as lastSeq: 0; lastSeq: 1 gives only what came after.
    expect((await visitorSocket(token, { lastSeq: 0 })).ready.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2]);
    expect((await visitorSocket(token, { lastSeq: 1 })).ready.messages.map((m: { seq: number }) => m.seq)).toEqual([2]);
    for (const s of [tab1.ws, tab2.ws, later.ws, agentWs]) s.close();
  });

  it('the contract states each of these answers', () => {
    for (const words of [/\*\*Widget key\.\*\*/, /\*\*`hello` without `lastSeq`\*\*/, /\*\*Own messages\.\*\*/, /\*\*Conversation id for visitors\.\*\*/, /\*\*Several sockets per token\.\*\*/, /\*\*Webhook replay\.\*\*[^]*new\*\* delivery with a new `webhook-id`/, /\*\*Identity JWTs\.\*\*/]) {
      expect(contract).toMatch(words);
    }
  });
});
