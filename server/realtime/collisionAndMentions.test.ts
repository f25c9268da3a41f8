/**
 * Live over the agent socket (issue 20): @mentions reach the mentioned agent only, and agents see
 * who else views or types in a conversation — never across tenants. On SQLite and PostgreSQL; the
 * same events cross nodes through the bus (scaleout/ runs them over Redis).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import type { Agent, Tenant } from '../storage/schema.js';
import '../storage/productivitySchema.js';

describe('mentions and collision detection, live', () => {
  let t: TestParley;
  let tenant: Tenant;
  const sockets: TestSocket[] = [];

  async function agentSocket(agent: Agent): Promise<TestSocket> {
    const { cookie } = await login(t, agent);
    const ws = await TestSocket.open(t, '/ws/agent', { cookie });
    sockets.push(ws);
    ws.send({ type: 'hello' });
    await ws.next('ready');
    return ws;
  }
  async function conversation(tenantOf: Tenant): Promise<string> {
    const { visitorId } = await visitorSession(t, tenantOf, { name: 'Grace' });
    return (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenantOf.id, visitorId }, { clientId: 'c1', body: 'hello' })).message.conversationId;
  }
  const agentNamed = async (tenantOf: Tenant, local: string) => {
    const a = await makeAgent(t, tenantOf);
    await t.ctx.storage.db.updateTable('agents').set({ email: `${local}@${tenantOf.slug}.example` }).where('id', '=', a.id).execute();
    return { ...a, email: `${local}@${tenantOf.slug}.example` };
  };

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('a mention in a private note notifies the mentioned agent live, and lists for them only', async () => {
    const ana = await agentNamed(tenant, 'ana');
    const ben = await agentNamed(tenant, 'ben');
    const cyd = await agentNamed(tenant, 'cyd');
    const other = await makeTenant(t);
    const foreignAna = await agentNamed(other, 'ana'); // same handle, another tenant
    const anaWs = await agentSocket(ana);
    const cydWs = await agentSocket(cyd);
    const foreignWs = await agentSocket(foreignAna);
    const benWs = await agentSocket(ben);
    const conv = await conversation(tenant);

    benWs.send({ type: 'message.send', clientId: 'n1', conversationId: conv, body: 'Can you check the refund, @ana? cc @ben.', internal: true });
    const ack = await benWs.next('ack');
    const frame = await anaWs.next('mention');
    expect(frame.mention).toMatchObject({ conversationId: conv, messageId: ack.message.id, by: { id: ben.id }, read: false });
    // Nobody else is told: not the author (self-mention), not a bystander, not the other tenant's "ana".
    await new Promise((r) => setTimeout(r, 300));
    for (const ws of [benWs, cydWs, foreignWs]) expect(ws.frames.filter((f) => f.type === 'mention')).toEqual([]);

    const anaHttp = await login(t, ana);
    const list = (await t.app.inject({ method: 'GET', url: '/api/mentions', headers: anaHttp.headers })).json();
    expect(list.unread).toBe(1);
    expect(list.items.map((m: { messageId: string }) => m.messageId)).toEqual([ack.message.id]);
    const foreignHttp = await login(t, foreignAna);
    expect((await t.app.inject({ method: 'GET', url: '/api/mentions', headers: foreignHttp.headers })).json().items).toEqual([]);
    // Only the mentioned agent may mark it read.
    const id = list.items[0].id;
    expect((await t.app.inject({ method: 'POST', url: `/api/mentions/${id}/read`, headers: foreignHttp.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/mentions/${id}/read`, headers: (await login(t, cyd)).headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/mentions/${id}/read`, headers: anaHttp.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/mentions?unread=true', headers: anaHttp.headers })).json()).toEqual({ items: [], unread: 0 });

    // A public reply mentions nobody; a retried note mentions once.
    benWs.send({ type: 'message.send', clientId: 'r1', conversationId: conv, body: 'Thanks @ana' });
    benWs.send({ type: 'message.send', clientId: 'n1', conversationId: conv, body: 'Can you check the refund, @ana? cc @ben.', internal: true });
    await benWs.next((f) => f.type === 'ack' && f.clientId === 'n1');
    await new Promise((r) => setTimeout(r, 300));
    expect(anaWs.frames.filter((f) => f.type === 'mention')).toEqual([]);
    expect(await t.ctx.storage.db.selectFrom('mentions').selectAll().execute()).toHaveLength(1);
  });

  it('the visitor never receives labels, priority or snooze', async () => {
    const boss = await makeAgent(t, tenant, 'supervisor');
    const headers = (await login(t, boss)).headers;
    const { token, visitorId } = await visitorSession(t, tenant, { name: 'Grace' });
    const conv = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: 'c1', body: 'hello' })).message.conversationId;
    const visitor = await TestSocket.open(t, '/ws/visitor');
    sockets.push(visitor);
    visitor.send({ type: 'hello', token });
    const ready = await visitor.next('ready');
    expect(Object.keys(ready.conversation)).not.toContain('labels');
    const label = (await t.app.inject({ method: 'POST', url: '/api/labels', headers, payload: { name: 'Angry customer' } })).json();
    await t.app.inject({ method: 'PUT', url: `/api/conversations/${conv}/labels/${label.id}`, headers });
    await t.app.inject({ method: 'POST', url: `/api/conversations/${conv}/priority`, headers, payload: { priority: 'urgent' } });
    const update = await visitor.next('conversation');
    for (const key of ['labels', 'priority', 'snoozed', 'snoozedUntil']) expect(Object.keys(update.conversation)).not.toContain(key);
    expect(JSON.stringify(visitor.frames)).not.toContain('Angry customer');
  });

  it('two agents in the same conversation see each other viewing and typing; leaving is seen too', async () => {
    const ana = await agentNamed(tenant, 'ana');
    const ben = await agentNamed(tenant, 'ben');
    const other = await makeTenant(t);
    const stranger = await agentSocket(await makeAgent(t, other));
    const anaWs = await agentSocket(ana);
    const benWs = await agentSocket(ben);
    const conv = await conversation(tenant);

    anaWs.send({ type: 'viewing', conversationId: conv });
    expect(await benWs.next('activity')).toEqual({ type: 'activity', conversationId: conv, agent: { id: ana.id, name: ana.name }, state: 'viewing' });
    // Ben arrives: Ana sees him, and Ben learns Ana was already there (her console answers).
    benWs.send({ type: 'viewing', conversationId: conv });
    expect(await anaWs.next('activity')).toMatchObject({ agent: { id: ben.id }, state: 'viewing' });
    expect(await benWs.next('activity')).toMatchObject({ agent: { id: ana.id }, state: 'viewing' });

    anaWs.send({ type: 'typing', conversationId: conv, on: true });
    expect(await benWs.next((f) => f.type === 'activity' && f.state === 'typing')).toMatchObject({ agent: { id: ana.id } });
    anaWs.send({ type: 'typing', conversationId: conv, on: false });
    expect(await benWs.next((f) => f.type === 'activity' && f.state === 'viewing')).toMatchObject({ agent: { id: ana.id } });
    anaWs.close();
    expect(await benWs.next((f) => f.type === 'activity' && f.state === 'left')).toMatchObject({ agent: { id: ana.id }, conversationId: conv });

    // Never to another tenant, and another tenant's conversation cannot be "viewed".
    await new Promise((r) => setTimeout(r, 300));
    expect(stranger.frames.filter((f) => f.type === 'activity')).toEqual([]);
    const theirs = await conversation(other);
    benWs.send({ type: 'viewing', conversationId: theirs });
    expect(await benWs.next('error')).toMatchObject({ code: 'not_found' });
    benWs.send({ type: 'viewing', conversationId: 5 });
    expect(await benWs.next('error')).toMatchObject({ code: 'validation_failed' });
  });
});
