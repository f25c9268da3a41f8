/**
 * Issue 20 item 1: conversations that follow the customer. A verified shopper's browsers share
 * their conversations live; an unverified one stays alone; an anonymous visitor who logs in is
 * merged into the verified contact (audited); several conversations per visitor.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Tenant } from '../../storage/schema.js';
import { identityHash, signIdentityJwt } from '../../security/visitorIdentity.js';
import { verifyAudit } from '../../security/auditLog.js';
import '../../storage/contactSchema.js';

describe('contacts: conversations follow the verified shopper', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;
  let secret: string;
  const sockets: TestSocket[] = [];

  const session = async (extra: Record<string, unknown> = {}) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: tenant.widget_key, ...extra } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { token: string; visitorId: string };
  };
  const verified = (userId: string) => ({ identity: { userId, hash: identityHash(secret, userId) } });
  const connect = async (token: string) => {
    const s = await TestSocket.open(t, '/ws/visitor');
    sockets.push(s);
    s.send({ type: 'hello', token });
    return { s, ready: await s.next('ready') };
  };
  const contactOf = async (visitorId: string) => (await t.ctx.storage.db.selectFrom('visitors').select(['contact_id', 'contact_shared']).where('id', '=', visitorId).executeTakeFirstOrThrow());

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    admin = await login(t, await makeAgent(t, tenant, 'admin'));
    const res = await t.app.inject({ method: 'POST', url: '/api/contact-settings', headers: admin.headers, payload: { rotateIdentitySecret: true } });
    secret = res.json().identitySecret as string;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('shows a verified shopper the same conversations on two browsers, live; an unverified claim of the same id sees none', async () => {
    const laptop = await session(verified('cust-42'));
    const phone = await session({ identity: { jwt: signIdentityJwt(secret, { sub: 'cust-42', exp: Math.floor(Date.now() / 1000) + 600 }) } });
    const forged = await session({ identity: { userId: 'cust-42' } }); // no signature: unverified
    expect((await contactOf(laptop.visitorId)).contact_id).toBe((await contactOf(phone.visitorId)).contact_id);
    expect((await contactOf(forged.visitorId)).contact_id).not.toBe((await contactOf(laptop.visitorId)).contact_id);

    const a = await connect(laptop.token);
    const b = await connect(phone.token);
    const x = await connect(forged.token);
    expect(b.ready.conversations).toEqual([]);

    // A new conversation and a message on the laptop appear on the phone without reconnecting.
    a.s.send({ type: 'message.send', clientId: 'l1', body: 'Where is order 1001?' });
    const ack = await a.s.next('ack');
    const conv = await b.s.next((f) => f.type === 'conversation' && f.conversation.id === ack.message.conversationId);
    expect(conv.conversation.status).toBe('open');
    expect((await b.s.next('message')).message.body).toBe('Where is order 1001?');
    // The phone answers in the laptop's conversation; the laptop hears it live.
    b.s.send({ type: 'message.send', clientId: 'p1', conversationId: ack.message.conversationId, body: 'Sent from my phone' });
    expect((await b.s.next('ack')).message.conversationId).toBe(ack.message.conversationId);
    expect((await a.s.next('message')).message.body).toBe('Sent from my phone');
    // The phone reads the whole conversation.
    b.s.send({ type: 'history', conversationId: ack.message.conversationId, afterSeq: 0 });
    expect((await b.s.next('history')).messages.map((m: { body: string }) => m.body)).toEqual(['Where is order 1001?', 'Sent from my phone']);

    // The unverified browser heard nothing and may not read or write there.
    x.s.send({ type: 'ping' });
    await x.s.next('pong');
    expect(x.s.frames.filter((f) => f.type === 'message' || f.type === 'conversation')).toEqual([]);
    x.s.send({ type: 'history', conversationId: ack.message.conversationId, afterSeq: 0 });
    expect((await x.s.next('error')).code).toBe('not_found');
    x.s.send({ type: 'message.send', clientId: 'x1', conversationId: ack.message.conversationId, body: 'let me in' });
    expect((await x.s.next('error')).code).toBe('not_found');

    // A third device that logs in later gets the list in `ready`, and the older ones follow its new conversation.
    const tablet = await session(verified('cust-42'));
    const c = await connect(tablet.token);
    expect(c.ready.conversations.map((v: { id: string }) => v.id)).toEqual([ack.message.conversationId]);
    c.s.send({ type: 'message.send', clientId: 't1', newConversation: true, body: 'A second question' });
    const second = await c.s.next('ack');
    expect(second.message.conversationId).not.toBe(ack.message.conversationId);
    await a.s.next((f) => f.type === 'conversation' && f.conversation.id === second.message.conversationId);
    await b.s.next((f) => f.type === 'message' && f.message.id === second.message.id);
  });

  it('merges an anonymous visitor who logs in mid-conversation into the verified contact, with an audit entry', async () => {
    const desktop = await session(verified('cust-7'));
    const d = await connect(desktop.token);
    d.s.send({ type: 'message.send', clientId: 'd1', body: 'Earlier question' });
    const earlier = await d.s.next('ack');

    const anon = await session({ name: 'Ada' });
    const anonContact = (await contactOf(anon.visitorId)).contact_id!;
    const before = await connect(anon.token);
    before.s.send({ type: 'message.send', clientId: 'a1', body: 'Before logging in' });
    const mid = await before.s.next('ack');
    expect(before.ready.conversations).toEqual([]);
    // Control: while anonymous, the desktop never heard of it.
    expect(d.s.frames.filter((f) => f.type === 'conversation' && f.conversation.id === mid.message.conversationId)).toEqual([]);

    // The shopper logs in: the frame starts its session again with the same token and a signed identity.
    const again = await session({ token: anon.token, ...verified('cust-7') });
    expect(again.visitorId).toBe(anon.visitorId);
    const merged = await contactOf(anon.visitorId);
    expect(merged.contact_id).toBe((await contactOf(desktop.visitorId)).contact_id);
    expect(await t.ctx.storage.db.selectFrom('contacts').select('id').where('id', '=', anonContact).executeTakeFirst()).toBeUndefined();
    const audit = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'contact.merge').execute();
    expect(audit.length).toBeGreaterThan(0);
    expect(audit[0]).toMatchObject({ tenant_id: tenant.id, actor_kind: 'visitor', actor_id: anon.visitorId, resource_type: 'contact', resource_id: merged.contact_id });
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({ from: anonContact, into: merged.contact_id, reason: 'login' });
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]);

    // After reconnecting, the logged-in browser lists both conversations; the desktop follows its messages live.
    const after = await connect(anon.token);
    expect(after.ready.conversations.map((c: { id: string }) => c.id).sort()).toEqual([earlier.message.conversationId, mid.message.conversationId].sort());
    after.s.send({ type: 'message.send', clientId: 'a2', conversationId: mid.message.conversationId, body: 'Now logged in' });
    await after.s.next('ack');
    expect((await d.s.next((f) => f.type === 'message' && f.message.body === 'Now logged in')).message.conversationId).toBe(mid.message.conversationId);
  });

  it('a browser of a verified contact without the same proof starts a new visitor (logged out, or another shopper)', async () => {
    const first = await session(verified('cust-1'));
    const a = await connect(first.token);
    a.s.send({ type: 'message.send', clientId: 'c1', body: 'Private order question' });
    await a.s.next('ack');
    const loggedOut = await session({ token: first.token });
    expect(loggedOut.visitorId).not.toBe(first.visitorId);
    expect((await connect(loggedOut.token)).ready.conversations).toEqual([]);
    const other = await session({ token: first.token, ...verified('cust-2') });
    expect(other.visitorId).not.toBe(first.visitorId);
    expect((await connect(other.token)).ready.conversations).toEqual([]);
    // Control: the same proof resumes the same visitor and its conversation.
    const same = await session({ token: first.token, ...verified('cust-1') });
    expect(same.visitorId).toBe(first.visitorId);
    expect((await connect(same.token)).ready.conversations).toHaveLength(1);
  });

  it('lets a visitor keep several conversations: start a new one while one is open, write in an older one, list open first', async () => {
    const v = await session();
    const { s } = await connect(v.token);
    s.send({ type: 'message.send', clientId: 'm1', body: 'First topic' });
    const one = await s.next('ack');
    s.send({ type: 'message.send', clientId: 'm2', newConversation: true, body: 'Second topic' });
    const two = await s.next('ack');
    expect(two.message.conversationId).not.toBe(one.message.conversationId);
    expect(two.message.seq).toBe(1);
    // Without a conversation named, messages go to the latest; an older one can be named.
    s.send({ type: 'message.send', clientId: 'm3', conversationId: one.message.conversationId, body: 'Back to the first' });
    expect((await s.next('ack')).message).toMatchObject({ conversationId: one.message.conversationId, seq: 2 });
    // Resolve the second: the list puts the open one first.
    const agent = await login(t, await makeAgent(t, tenant));
    const res = await t.app.inject({ method: 'POST', url: `/api/conversations/${two.message.conversationId}/resolve`, headers: agent.headers });
    expect(res.statusCode, res.body).toBe(200);
    const again = await connect(v.token);
    expect(again.ready.conversations.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      [one.message.conversationId, 'open'],
      [two.message.conversationId, 'resolved'],
    ]);
    // Writing in a resolved one reopens it.
    again.s.send({ type: 'message.send', clientId: 'm4', conversationId: two.message.conversationId, body: 'One more thing' });
    expect((await again.s.next('ack')).message.conversationId).toBe(two.message.conversationId);
    expect((await t.ctx.storage.db.selectFrom('conversations').select('status').where('id', '=', two.message.conversationId).executeTakeFirstOrThrow()).status).toBe('open');
    // Another visitor's conversation stays "not found".
    const stranger = await connect((await session()).token);
    stranger.s.send({ type: 'message.send', clientId: 'z1', conversationId: one.message.conversationId, body: 'hi' });
    expect((await stranger.s.next('error')).code).toBe('not_found');
  });
});
