/**
 * Contact-centre flows over HTTP and WebSocket on a real node: presence, teams and automatic
 * assignment (least busy, round robin, capacity, away), the queue seen by visitors, transfer,
 * business hours and "leave a message" by email, ratings and transcripts by email (a real SMTP
 * server process), identity verification, read receipts, canned responses and the bot.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { smtpSinkForSuite } from '../../testing/smtpSink.js';
import { createMessage } from '../../commands/messageCreator.js';
import { botAnswer } from '../../commands/botResponder.js';
import { countingQueries } from '../../testing/countingQueries.js';
import { identityHash, signIdentityJwt } from '../../security/visitorIdentity.js';
import type { Agent, Tenant } from '../../storage/schema.js';

describe('contact centre', () => {
  const smtp = smtpSinkForSuite();
  let t: TestParley;
  let tenant: Tenant;
  let admin: Agent;
  let adminIn: LoggedIn;
  const sockets: TestSocket[] = [];

  afterAll(dropSchemas);
  beforeEach(async () => {
    t = await startTestParley({ listen: true, env: { SMTP_URL: smtp.url } });
    tenant = await makeTenant(t);
    admin = await makeAgent(t, tenant, 'admin');
    adminIn = await login(t, admin);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: LoggedIn | null = adminIn, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...(who?.headers ?? {}), ...headers }, ...(payload ? { payload } : {}) });
  const settle = () => t.contactCentre.idle();

  async function online(agent: Agent): Promise<{ sock: TestSocket; me: LoggedIn }> {
    const me = await login(t, agent);
    const sock = await TestSocket.open(t, '/ws/agent', { cookie: me.cookie });
    sockets.push(sock);
    sock.send({ type: 'hello' });
    await sock.next('ready');
    await settle();
    return { sock, me };
  }

  /** The visitor's widget connects (socket said hello and got ready). */
  async function visitorConnects(token: string): Promise<TestSocket> {
    const sock = await TestSocket.open(t, '/ws/visitor');
    sockets.push(sock);
    sock.send({ type: 'hello', token });
    await sock.next('ready');
    return sock;
  }

  async function team(body: Partial<Record<string, unknown>> & { memberIds: string[] }): Promise<{ id: string }> {
    const res = await api('POST', '/api/teams', adminIn, { name: 'Support', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: null, holidays: [], notifyEmail: null, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  /** A new visitor writes; returns their conversation and token once routing has run. */
  async function visitorWrites(body = 'Hello, I need help', of: Tenant = tenant, extra: Record<string, unknown> = {}) {
    const s = await visitorSession(t, of, extra as Record<string, string>);
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: of.id, visitorId: s.visitorId }, { clientId: 'c' + Math.random().toString(36).slice(2), body });
    await settle();
    return { ...s, conversationId: message.conversationId };
  }
  const conversation = async (id: string, who: LoggedIn = adminIn) => (await api('GET', `/api/conversations/${id}`, who)).json();

  it('assigns to the least busy online agent within capacity, queues the rest, and routes again when capacity frees', async () => {
    const a1 = await makeAgent(t, tenant);
    const a2 = await makeAgent(t, tenant);
    const { id: teamId } = await team({ memberIds: [a1.id, a2.id] });
    const on1 = await online(a1);
    const on2 = await online(a2);
    for (const who of [on1.me, on2.me]) expect((await api('POST', '/api/presence', who, { maxChats: 1 })).statusCode).toBe(200);

    const v1 = await visitorWrites();
    const v2 = await visitorWrites();
    const c1 = await conversation(v1.conversationId);
    const c2 = await conversation(v2.conversationId);
    expect(c1.team).toEqual({ id: teamId, name: 'Support' });
    expect(new Set([c1.assignee?.id, c2.assignee?.id])).toEqual(new Set([a1.id, a2.id]));
    // The agent is told live.
    const mineFirst = c1.assignee.id === a1.id ? on1.sock : on2.sock;
    await mineFirst.next((f) => f.type === 'conversation' && f.conversation.id === v1.conversationId && f.conversation.assignee?.id === c1.assignee.id);

    // Both agents are full: the third visitor waits, and sees their place in the queue.
    const v3 = await visitorWrites('Anyone there?');
    expect((await conversation(v3.conversationId)).assignee).toBeNull();
    const vs = await visitorConnects(v3.token);
    const queued = await vs.next('queue');
    expect(queued).toMatchObject({ conversationId: v3.conversationId, position: 1 });
    expect(queued.estimatedWaitSeconds).toBeGreaterThan(0);
    const v4 = await visitorWrites('Me too');
    const v4pos = await (await visitorConnects(v4.token)).next('queue');
    expect(v4pos.position).toBe(2);

    // Resolving frees capacity: the oldest waiting conversation goes to that agent, and its visitor is told.
    expect((await api('POST', `/api/conversations/${v1.conversationId}/resolve`)).statusCode).toBe(200);
    await settle();
    expect((await conversation(v3.conversationId)).assignee?.id).toBe(c1.assignee.id);
    await vs.next((f) => f.type === 'queue' && f.position === null);
    expect((await conversation(v4.conversationId)).assignee).toBeNull();

    const presence = (await api('GET', '/api/presence')).json().items;
    expect(presence.find((p: { id: string }) => p.id === a1.id)).toMatchObject({ status: 'online', maxChats: 1, activeChats: 1, teamIds: [teamId] });
    expect(presence.find((p: { id: string }) => p.id === admin.id)).toMatchObject({ status: 'offline' });
  });

  it('gives an unassigned conversation to the agent who replies, and leaves notes and others’ conversations alone', async () => {
    // Nobody online: the visitor waits in the queue.
    const a1 = await makeAgent(t, tenant);
    const a2 = await makeAgent(t, tenant);
    const v = await visitorWrites('Is anyone there?');
    expect((await conversation(v.conversationId)).assignee).toBeNull();
    const vs = await visitorConnects(v.token);
    await vs.next((f) => f.type === 'queue' && f.position === 1);

    // A private note claims nothing.
    const as1 = { kind: 'agent' as const, tenantId: tenant.id, agent: a1 };
    await createMessage(t.ctx, as1, { clientId: 'note', conversationId: v.conversationId, body: 'looking into it', internal: true });
    expect((await conversation(v.conversationId)).assignee).toBeNull();

    // A reply does: the conversation is a1's, the visitor is told (no longer "next in line").
    await createMessage(t.ctx, as1, { clientId: 'r1', conversationId: v.conversationId, body: 'Yes, I am here' });
    expect((await conversation(v.conversationId)).assignee?.id).toBe(a1.id);
    await vs.next((f) => f.type === 'conversation' && f.conversation.assignee?.id === a1.id);
    const row = await t.ctx.storage.db.selectFrom('conversations').select(['bot_active', 'queued_at']).where('id', '=', v.conversationId).executeTakeFirstOrThrow();
    expect(row.bot_active).toBe(0);
    expect(row.queued_at).not.toBeNull();

    // Another agent's reply leaves it with a1.
    await createMessage(t.ctx, { kind: 'agent', tenantId: tenant.id, agent: a2 }, { clientId: 'r2', conversationId: v.conversationId, body: 'Me too' });
    expect((await conversation(v.conversationId)).assignee?.id).toBe(a1.id);
  });

  it('lets admins set another agent’s capacity (audited), and nobody else', async () => {
    const bob = await makeAgent(t, tenant, 'agent');
    const ok = await api('PUT', `/api/presence/${bob.id}`, adminIn, { maxChats: 7 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ id: bob.id, maxChats: 7 });
    expect((await api('GET', '/api/presence')).json().items.find((a: { id: string }) => a.id === bob.id).maxChats).toBe(7);
    const bobIn = await login(t, bob);
    expect((await api('PUT', `/api/presence/${admin.id}`, bobIn, { maxChats: 1 })).statusCode).toBe(403);
    expect((await api('PUT', `/api/presence/${bob.id}`, adminIn, { maxChats: 99 })).statusCode).toBe(400);
    const foreign = await makeAgent(t, await makeTenant(t), 'agent');
    expect((await api('PUT', `/api/presence/${foreign.id}`, adminIn, { maxChats: 3 })).statusCode).toBe(404);
    const audit = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'agent.capacity_set').execute();
    expect(audit).toHaveLength(1);
  });

  it('rotates round robin, skips agents who are away, and sees an agent go offline when the console closes', async () => {
    const agents = [await makeAgent(t, tenant), await makeAgent(t, tenant), await makeAgent(t, tenant)];
    await team({ strategy: 'round_robin', memberIds: agents.map((a) => a.id) });
    const ons = [];
    for (const a of agents) ons.push(await online(a));
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await conversation((await visitorWrites()).conversationId)).assignee.id);
    expect(new Set(got.slice(0, 3)).size).toBe(3);
    expect(got[3]).toBe(got[0]);

    // Everyone away but one: only that one gets new chats.
    await api('POST', '/api/presence', ons[0]!.me, { status: 'away' });
    await api('POST', '/api/presence', ons[1]!.me, { status: 'away' });
    await settle();
    for (let i = 0; i < 2; i++) expect((await conversation((await visitorWrites()).conversationId)).assignee.id).toBe(agents[2]!.id);
    // A colleague sees presence change live.
    ons[2]!.sock.close();
    await ons[0]!.sock.next((f) => f.type === 'presence' && f.agentId === agents[2]!.id && f.status === 'offline');
    await settle();
    const waiting = await visitorWrites();
    expect((await conversation(waiting.conversationId)).assignee).toBeNull();
    // Back online: the waiting chat is routed to them.
    await api('POST', '/api/presence', ons[1]!.me, { status: 'online' });
    await settle();
    expect((await conversation(waiting.conversationId)).assignee.id).toBe(agents[1]!.id);
  });

  it('transfers to a team (routed to one of its members) or to an agent, with rights checked', async () => {
    const a1 = await makeAgent(t, tenant);
    const a2 = await makeAgent(t, tenant);
    const a3 = await makeAgent(t, tenant);
    const sup = await makeAgent(t, tenant, 'supervisor');
    await team({ memberIds: [a1.id] });
    const billing = await team({ name: 'Billing', memberIds: [a3.id] });
    const on1 = await online(a1);
    const on2 = await online(a2);
    await online(a3);
    const v = await visitorWrites();
    expect((await conversation(v.conversationId)).assignee.id).toBe(a1.id);

    // Another agent may not move a1's conversation.
    expect((await api('POST', `/api/conversations/${v.conversationId}/transfer`, on2.me, { agentId: a2.id })).statusCode).toBe(403);
    const moved = await api('POST', `/api/conversations/${v.conversationId}/transfer`, on1.me, { teamId: billing.id });
    expect(moved.statusCode, moved.body).toBe(200);
    await settle();
    const after = await conversation(v.conversationId);
    expect(after.team.name).toBe('Billing');
    expect(after.assignee.id).toBe(a3.id);
    const log = (await api('GET', `/api/conversations/${v.conversationId}/messages`)).json().items;
    // An event notice, never mistaken for the bot's answer (or anyone's reply).
    expect(log.at(-1)).toMatchObject({ author: { kind: 'system', id: 'system' }, body: expect.stringContaining('Billing') });

    // A supervisor reassigns to anyone.
    const supIn = await login(t, sup);
    const direct = await api('POST', `/api/conversations/${v.conversationId}/transfer`, supIn, { agentId: a2.id });
    expect(direct.json().assignee.id).toBe(a2.id);

    // Other tenants' teams and agents do not exist from here.
    const other = await makeTenant(t);
    const otherAdmin = await login(t, await makeAgent(t, other, 'admin'));
    expect((await api('POST', `/api/conversations/${v.conversationId}/transfer`, otherAdmin, { teamId: billing.id })).statusCode).toBe(404);
    const ov = await visitorWrites('hi', other);
    expect((await api('POST', `/api/conversations/${ov.conversationId}/transfer`, otherAdmin, { teamId: billing.id })).statusCode).toBe(404);
    expect((await api('GET', '/api/teams', otherAdmin)).json().items).toEqual([]);
  });

  it('offers "leave a message" outside business hours or with nobody online, and emails the team', async () => {
    const a1 = await makeAgent(t, tenant);
    // Open on no day at all: always outside hours.
    await team({ memberIds: [a1.id], weeklyHours: {}, notifyEmail: 'support-team@shop.example' });
    await online(a1);
    const avail = (await api('GET', `/api/widget/availability?key=${tenant.widget_key}`, null)).json();
    expect(avail).toMatchObject({ live: false, withinHours: false, agentsOnline: 1 });

    const res = await api('POST', '/api/widget/offline-message', null, { key: tenant.widget_key, name: 'Olga', email: 'olga@example.com', body: 'Please call me back about order 1234' });
    expect(res.statusCode, res.body).toBe(201);
    const { conversationId, token, emailed } = res.json();
    expect(emailed).toBe(true);
    const mail = await smtp.next();
    expect(mail.to).toEqual(['support-team@shop.example']);
    expect(mail.subject).toContain('Olga');
    expect(mail.text).toContain('Please call me back about order 1234');
    expect(mail.text).toContain(`#c=${conversationId}`);
    expect(token).toBeTruthy();
    const conv = await conversation(conversationId);
    expect(conv).toMatchObject({ channel: 'offline', visitor: { name: 'Olga', email: 'olga@example.com' } });

    // Inside hours with someone online, live chat is offered.
    await api('PUT', `/api/teams/${conv.team.id}`, adminIn, { name: 'Support', strategy: 'least_busy', timeZone: 'Europe/Paris', weeklyHours: null, holidays: [], notifyEmail: null, memberIds: [a1.id] });
    expect((await api('GET', `/api/widget/availability?key=${tenant.widget_key}`, null)).json()).toMatchObject({ live: true, withinHours: true });
    // Bad input changes nothing.
    expect((await api('POST', '/api/teams', adminIn, { name: 'X', strategy: 'least_busy', timeZone: 'Mars/Base', weeklyHours: null, holidays: [], notifyEmail: null, memberIds: [] })).statusCode).toBe(400);
    expect((await api('POST', '/api/teams', adminIn, { name: 'X', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: { mon: [['18:00', '09:00']] }, holidays: [], notifyEmail: null, memberIds: [] })).statusCode).toBe(400);
    // 24:00 is the end of the day, accepted as a closing time only; nothing past it.
    for (const bad of [['24:00', '24:00'], ['09:00', '24:30'], ['09:00', '25:00']]) {
      expect((await api('POST', '/api/teams', adminIn, { name: 'X', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: { mon: [bad] }, holidays: [], notifyEmail: null, memberIds: [] })).statusCode).toBe(400);
    }
    expect((await api('POST', '/api/teams', adminIn, { name: 'All day', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: { mon: [['00:00', '24:00']] }, holidays: [], notifyEmail: null, memberIds: [] })).statusCode).toBe(201);
    expect((await api('POST', '/api/teams', await login(t, a1), { name: 'X', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: null, holidays: [], notifyEmail: null, memberIds: [] })).statusCode).toBe(403);
  });

  it('stores a satisfaction rating and emails the transcript without private notes', async () => {
    const v = await visitorWrites('Where is my parcel?', tenant, { name: 'Ada', email: 'ada@example.com' });
    await api('POST', `/api/conversations/${v.conversationId}/messages`, adminIn, { clientId: 'r1', body: 'It ships tomorrow.' });
    await api('POST', `/api/conversations/${v.conversationId}/messages`, adminIn, { clientId: 'n1', body: 'SECRET internal note', internal: true });
    await api('POST', `/api/conversations/${v.conversationId}/resolve`);
    const bearer = { authorization: `Bearer ${v.token}` };

    expect((await api('POST', '/api/widget/rating', null, { conversationId: v.conversationId, rating: 6 }, bearer)).statusCode).toBe(400);
    expect((await api('POST', '/api/widget/rating', null, { conversationId: v.conversationId, rating: 5 })).statusCode).toBe(401);
    const rated = await api('POST', '/api/widget/rating', null, { conversationId: v.conversationId, rating: 4, comment: 'Quick, thanks' }, bearer);
    expect(rated.statusCode, rated.body).toBe(200);
    await api('POST', '/api/widget/rating', null, { conversationId: v.conversationId, rating: 5, comment: 'Great' }, bearer);
    const rows = await t.ctx.storage.db.selectFrom('satisfaction_ratings').selectAll().where('tenant_id', '=', tenant.id).execute();
    expect(rows).toHaveLength(1);
    // The comment is sealed at rest (security/sealedFields.ts); the agent's panel shows it opened.
    expect(rows[0]).toMatchObject({ rating: 5, comment: expect.stringMatching(/^pe1:\d+:/), conversation_id: v.conversationId });
    expect((await api('GET', `/api/conversations/${v.conversationId}/context`)).json().rating).toEqual({ rating: 5, comment: 'Great' });

    // Someone else's token cannot rate or mail this conversation.
    const stranger = await visitorSession(t, tenant);
    expect((await api('POST', '/api/widget/transcript', null, { conversationId: v.conversationId }, { authorization: `Bearer ${stranger.token}` })).statusCode).toBe(404);

    const sent = await api('POST', '/api/widget/transcript', null, { conversationId: v.conversationId }, bearer);
    expect(sent.statusCode, sent.body).toBe(200);
    const mail = await smtp.next();
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.text).toContain('Where is my parcel?');
    expect(mail.text).toContain('It ships tomorrow.');
    expect(mail.text).not.toContain('SECRET internal note');
  });

  it('verifies shoppers by HMAC or JWT, shows other claims as unverified, and gives the agent pages and history', async () => {
    const settings = await api('POST', '/api/contact-settings', adminIn, { rotateIdentitySecret: true });
    const secret = settings.json().identitySecret as string;
    expect(secret).toMatch(/^ids_/);
    expect((await api('GET', '/api/contact-settings')).json()).toEqual({ botEnabled: false, hasIdentitySecret: true });

    const ok = await visitorWrites('hi', tenant, { page: 'https://shop.example/cart', identity: { userId: 'cust-1', hash: identityHash(secret, 'cust-1') } });
    const ctx1 = (await api('GET', `/api/conversations/${ok.conversationId}/context`)).json();
    expect(ctx1.identity).toEqual({ userId: 'cust-1', verified: true });
    expect(ctx1.pagesSeen.map((p: { url: string }) => p.url)).toEqual(['https://shop.example/cart']);

    const forged = await visitorWrites('hi', tenant, { identity: { userId: 'cust-1', hash: 'deadbeef' } });
    expect((await api('GET', `/api/conversations/${forged.conversationId}/context`)).json().identity).toEqual({ userId: 'cust-1', verified: false });
    const jwt = await visitorWrites('hi', tenant, { identity: { jwt: signIdentityJwt(secret, { sub: 'cust-9', exp: Math.floor(Date.now() / 1000) + 300 }) } });
    expect((await api('GET', `/api/conversations/${jwt.conversationId}/context`)).json().identity).toEqual({ userId: 'cust-9', verified: true });

    // The same visitor comes back on another page and starts a new conversation after the first is resolved.
    await api('POST', `/api/conversations/${ok.conversationId}/resolve`);
    // (The widget sends the signed identity on every load: a verified visitor's browser that comes back
    // without it gets a fresh visitor, so a shared computer does not show the last shopper's chats.)
    const back = await api('POST', '/api/widget/session', null, { key: tenant.widget_key, token: ok.token, page: 'https://shop.example/checkout', identity: { userId: 'cust-1', hash: identityHash(secret, 'cust-1') } });
    expect(back.json().visitorId).toBe(ok.visitorId);
    await t.ctx.storage.db.updateTable('conversations').set({ created_at: Date.now() - 60_000 }).where('id', '=', ok.conversationId).execute();
    const second = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: ok.visitorId }, { clientId: 'again', body: 'me again' });
    const ctx2 = (await api('GET', `/api/conversations/${second.message.conversationId}/context`)).json();
    expect(ctx2.pagesSeen.map((p: { url: string }) => p.url)).toEqual(['https://shop.example/cart', 'https://shop.example/checkout']);
    // (A visitor writing after a resolve reopens their latest conversation, so history holds the others.)
    expect(Array.isArray(ctx2.history)).toBe(true);
  });

  it('relays delivery and read receipts both ways and keeps them on the conversation', async () => {
    const a1 = await makeAgent(t, tenant);
    const on = await online(a1);
    const v = await visitorWrites('hello?');
    const vs = await visitorConnects(v.token);
    on.sock.send({ type: 'message.send', clientId: 'a1', conversationId: v.conversationId, body: 'Hi, how can I help?' });
    const m = await vs.next('message');
    vs.send({ type: 'receipt', deliveredSeq: m.message.seq });
    expect(await on.sock.next('receipt')).toMatchObject({ conversationId: v.conversationId, by: 'visitor', deliveredSeq: 2, readSeq: 0 });
    vs.send({ type: 'receipt', readSeq: 99 }); // capped at the last seq
    expect(await on.sock.next('receipt')).toMatchObject({ by: 'visitor', deliveredSeq: 2, readSeq: 2 });
    on.sock.send({ type: 'receipt', conversationId: v.conversationId, readSeq: 1 });
    expect(await vs.next((f) => f.type === 'receipt' && f.by === 'agent')).toMatchObject({ by: 'agent', readSeq: 1 });
    // The visitor's own marks come back to the shopper's sockets too (their other devices' unread markers, issue 20).
    expect(await vs.next((f) => f.type === 'receipt' && f.by === 'visitor')).toMatchObject({ conversationId: v.conversationId, deliveredSeq: 2 });
    expect((await conversation(v.conversationId)).receipts).toEqual({ visitorDelivered: 2, visitorRead: 2, agentDelivered: 1, agentRead: 1 });
    // Watermarks never go back.
    vs.send({ type: 'receipt', readSeq: 1 });
    vs.send({ type: 'ping' });
    await vs.next('pong');
    expect((await conversation(v.conversationId)).receipts.visitorRead).toBe(2);
    vs.send({ type: 'receipt', readSeq: -1 });
    expect((await vs.next('error')).code).toBe('validation_failed');
  });

  it('keeps canned responses per tenant, editable by supervisors only', async () => {
    const agentIn = await login(t, await makeAgent(t, tenant));
    const made = await api('POST', '/api/canned-responses', adminIn, { shortcut: 'refund', title: 'Refund policy', body: 'Hi {{visitor.name}}, refunds take 5 days. — {{agent.name}}' });
    expect(made.statusCode, made.body).toBe(201);
    expect((await api('POST', '/api/canned-responses', adminIn, { shortcut: 'refund', title: 'Again', body: 'x' })).statusCode).toBe(409);
    expect((await api('POST', '/api/canned-responses', agentIn, { shortcut: 'mine', title: 'x', body: 'x' })).statusCode).toBe(403);
    expect((await api('POST', '/api/canned-responses', adminIn, { shortcut: 'Bad Shortcut', title: 'x', body: 'x' })).statusCode).toBe(400);
    expect((await api('GET', '/api/canned-responses', agentIn)).json().items.map((c: { shortcut: string }) => c.shortcut)).toEqual(['refund']);
    const other = await login(t, await makeAgent(t, await makeTenant(t), 'admin'));
    expect((await api('GET', '/api/canned-responses', other)).json().items).toEqual([]);
    expect((await api('DELETE', `/api/canned-responses/${made.json().id}`, other)).statusCode).toBe(404);
    expect((await api('DELETE', `/api/canned-responses/${made.json().id}`)).statusCode).toBe(204);
  });

  it('lets the knowledge-base bot answer first and hand off to a person with the exchange visible', async () => {
    const a1 = await makeAgent(t, tenant);
    await team({ memberIds: [a1.id] });
    await api('POST', '/api/kb/articles', adminIn, { title: 'Returns and refunds', body: 'You can return any item within 30 days for a full refund.' });
    await api('POST', '/api/kb/articles', adminIn, { title: 'Shipping times', body: 'Orders ship within 24 hours.' });
    expect((await api('POST', '/api/kb/articles', await login(t, a1), { title: 'x', body: 'y' })).statusCode).toBe(403);
    await api('POST', '/api/contact-settings', adminIn, { botEnabled: true });
    const on = await online(a1);
    expect((await api('GET', `/api/widget/availability?key=${tenant.widget_key}`, null)).json().bot).toBe(true);

    const v = await visitorWrites('How do I get a refund?');
    let conv = await conversation(v.conversationId);
    expect(conv).toMatchObject({ botActive: true, assignee: null });
    let log = (await api('GET', `/api/conversations/${v.conversationId}/messages`)).json().items;
    expect(log.at(-1)).toMatchObject({ author: { kind: 'system', id: 'bot' }, body: expect.stringContaining('within 30 days') });

    // The visitor asks for a person (over the socket): handed off and routed, with the whole exchange kept.
    const vs = await visitorConnects(v.token);
    vs.send({ type: 'handoff' });
    await vs.next((f) => f.type === 'conversation' && f.conversation.botActive === false);
    await settle();
    conv = await conversation(v.conversationId);
    expect(conv).toMatchObject({ botActive: false, assignee: { id: a1.id } });
    await on.sock.next((f) => f.type === 'conversation' && f.conversation.id === v.conversationId && f.conversation.assignee?.id === a1.id);
    log = (await api('GET', `/api/conversations/${v.conversationId}/messages`)).json().items;
    expect(log.map((m: { body: string }) => m.body)).toEqual(['How do I get a refund?', expect.stringContaining('Returns and refunds'), expect.stringContaining('Connecting you with a person')]);
    // The answer is the bot's; the handoff is an event notice.
    expect(log.map((m: { author: { id: string } }) => m.author.id)).toEqual([v.visitorId, 'bot', 'system']);

    // Handed off for good: the bot stays out (and nodes stop asking for its state).
    const again = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: v.visitorId }, { clientId: 'again', body: 'How do I get a refund?' });
    await settle();
    expect(await botAnswer(t.ctx, tenant.id, again.message)).toBe('with_people');
    log = (await api('GET', `/api/conversations/${v.conversationId}/messages`)).json().items;
    expect(log.at(-1)).toMatchObject({ author: { kind: 'visitor' }, body: 'How do I get a refund?' });

    // A question the bot cannot answer goes straight to a person.
    const v2 = await visitorWrites('Can I pay with bitcoin in your Lyon store?');
    conv = await conversation(v2.conversationId);
    expect(conv.botActive).toBe(false);
    expect(conv.assignee?.id).toBe(a1.id);

    // Messages that arrive together, while this node does not yet know the conversation is with
    // people: the first job learns it, the others do not ask again.
    const db = t.ctx.storage.db;
    const botStateReads = countingQueries(db, '"bot_active"');
    t.ctx.storage.db = botStateReads.db;
    try {
      const actor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId: v2.visitorId };
      await Promise.all(['one', 'two', 'three', 'four'].map((body) => createMessage(t.ctx, actor, { clientId: `together-${body}`, body })));
      await settle();
    } finally {
      t.ctx.storage.db = db;
    }
    expect(botStateReads.count()).toBe(1);
  });
});
