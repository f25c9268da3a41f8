/**
 * Issue 20 item 1, the shopper's other device: rating a conversation, asking for its transcript by
 * email and uploading a file into it follow the same rule as reading and writing
 * (queries/contactQueries.ts `visitorMaySee`): the visitor's own conversation, or one of another
 * browser that proved the same verified identity. An unverified claim of the same user id, another
 * verified shopper, a browser an agent merged into the contact, and another tenant's shopper are
 * answered "not found" and change nothing. And a read on one device reaches the others (their
 * unread markers), never a stranger's socket.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { smtpSinkForSuite } from '../../testing/smtpSink.js';
import { pngWith } from '../../testing/fileFixtures.js';
import { createMessage } from '../../commands/messageCreator.js';
import { identityHash } from '../../security/visitorIdentity.js';
import type { Tenant } from '../../storage/schema.js';
import '../../storage/contactSchema.js';

const PNG = pngWith();

describe("a verified shopper's other device: rating, transcript, upload", () => {
  const smtp = smtpSinkForSuite();
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;
  let secret: string;
  const sockets: TestSocket[] = [];

  afterAll(dropSchemas);
  beforeEach(async () => {
    t = await startTestParley({ listen: true, env: { SMTP_URL: smtp.url } });
    tenant = await makeTenant(t);
    admin = await login(t, await makeAgent(t, tenant, 'admin'));
    secret = await identitySecret(admin);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });

  const identitySecret = async (who: LoggedIn) =>
    (await t.app.inject({ method: 'POST', url: '/api/contact-settings', headers: who.headers, payload: { rotateIdentitySecret: true } })).json().identitySecret as string;
  const session = async (of: Tenant, extra: Record<string, unknown> = {}) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: of.widget_key, ...extra } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { token: string; visitorId: string };
  };
  const verified = (userId: string, key = secret) => ({ identity: { userId, hash: identityHash(key, userId) } });
  const writes = async (visitorId: string, body: string) =>
    (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: `c-${Math.random().toString(36).slice(2)}`, body })).message.conversationId;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const rate = (token: string, conversationId: string, rating: number) =>
    t.app.inject({ method: 'POST', url: '/api/widget/rating', headers: bearer(token), payload: { conversationId, rating, comment: 'from my phone' } });
  const transcript = (token: string, conversationId: string) =>
    t.app.inject({ method: 'POST', url: '/api/widget/transcript', headers: bearer(token), payload: { conversationId, email: 'ada@example.com' } });
  const upload = (token: string, conversationId: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/widget/attachments?name=receipt.png&conversationId=${encodeURIComponent(conversationId)}`,
      headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      payload: PNG,
    });
  const connect = async (token: string) => {
    const s = await TestSocket.open(t, '/ws/visitor');
    sockets.push(s);
    s.send({ type: 'hello', token });
    await s.next('ready');
    return s;
  };
  /** What a refused call must not have left behind. */
  const traces = async (conversationId: string) => {
    const db = t.ctx.storage.db;
    const conv = await db.selectFrom('conversations').select(['last_seq', 'status']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    const ratings = await db.selectFrom('satisfaction_ratings').select('id').where('conversation_id', '=', conversationId).execute();
    const files = await db.selectFrom('attachments').select('id').where('conversation_id', '=', conversationId).execute();
    let onDisk: string[] = [];
    try {
      onDisk = readdirSync(join(t.dataDir, 'attachments', tenant.id));
    } catch {
      /* no directory: no file */
    }
    return { lastSeq: conv.last_seq, status: conv.status, ratings: ratings.length, files: files.length, onDisk: onDisk.length };
  };

  it('lets the second browser of a verified shopper rate, email the transcript of, and upload into a conversation started on the first', async () => {
    const laptop = await session(tenant, { ...verified('cust-1'), name: 'Ada', email: 'ada@example.com' });
    const phone = await session(tenant, verified('cust-1'));
    const conversationId = await writes(laptop.visitorId, 'Where is order 1001?');
    const reply = await t.app.inject({ method: 'POST', url: `/api/conversations/${conversationId}/messages`, headers: admin.headers, payload: { clientId: 'r1', body: 'It ships tomorrow.' } });
    expect(reply.statusCode, reply.body).toBe(201);
    const laptopSocket = await connect(laptop.token);

    // The file goes into the named conversation (not the phone's latest: it has none), and the laptop sees it live.
    const up = await upload(phone.token, conversationId);
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ conversationId, author: { kind: 'visitor', id: phone.visitorId }, attachment: { name: 'receipt.png', type: 'image/png' } });
    expect((await laptopSocket.next((f) => f.type === 'message' && f.message.id === up.json().id)).message.attachment.name).toBe('receipt.png');

    const rated = await rate(phone.token, conversationId, 5);
    expect(rated.statusCode, rated.body).toBe(200);
    const row = await t.ctx.storage.db.selectFrom('satisfaction_ratings').selectAll().where('conversation_id', '=', conversationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ tenant_id: tenant.id, rating: 5, visitor_id: laptop.visitorId });
    expect((await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/context`, headers: admin.headers })).json().rating).toEqual({ rating: 5, comment: 'from my phone' });

    const sent = await transcript(phone.token, conversationId);
    expect(sent.statusCode, sent.body).toBe(200);
    const mail = await smtp.next();
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.text).toContain('Where is order 1001?');
    expect(mail.text).toContain('It ships tomorrow.');
    expect(mail.text).toContain('receipt.png');

    // A resolved conversation too: rating comes after the end; a file sent into it reopens it, as a message does.
    expect((await t.app.inject({ method: 'POST', url: `/api/conversations/${conversationId}/resolve`, headers: admin.headers })).statusCode).toBe(200);
    expect((await rate(phone.token, conversationId, 4)).statusCode).toBe(200);
    expect((await upload(phone.token, conversationId)).statusCode).toBe(201);
    expect((await traces(conversationId)).status).toBe('open');
  });

  it('refuses an unverified claim of the same id, another shopper, a browser merged in by an agent and another tenant: not found, nothing changed', async () => {
    const laptop = await session(tenant, { ...verified('cust-1'), email: 'ada@example.com' });
    const conversationId = await writes(laptop.visitorId, 'My private order question');

    const forged = await session(tenant, { identity: { userId: 'cust-1' } }); // the same id, no signature
    const otherShopper = await session(tenant, verified('cust-2'));
    // An anonymous browser an agent merged into the shopper's contact gains no access (docs/SECURITY.md).
    const merged = await session(tenant, { name: 'Same person, says the agent' });
    await writes(merged.visitorId, 'hello');
    const contactOf = async (visitorId: string) => (await t.ctx.storage.db.selectFrom('visitors').select('contact_id').where('id', '=', visitorId).executeTakeFirstOrThrow()).contact_id!;
    const merge = await t.app.inject({ method: 'POST', url: `/api/contacts/${await contactOf(merged.visitorId)}/merge`, headers: admin.headers, payload: { into: await contactOf(laptop.visitorId) } });
    expect(merge.statusCode, merge.body).toBe(200);
    // Another tenant's verified shopper with the same user id, signed with that tenant's own secret.
    const tenant2 = await makeTenant(t);
    const secret2 = await identitySecret(await login(t, await makeAgent(t, tenant2, 'admin')));
    const elsewhere = await session(tenant2, verified('cust-1', secret2));

    const before = await traces(conversationId);
    for (const [who, v] of Object.entries({ forged, otherShopper, merged, elsewhere })) {
      for (const [what, res] of Object.entries({ rating: await rate(v.token, conversationId, 1), transcript: await transcript(v.token, conversationId), upload: await upload(v.token, conversationId) })) {
        expect(res.statusCode, `${who} ${what}: ${res.body}`).toBe(404);
        expect(res.json().error.code, `${who} ${what}`).toBe('not_found');
      }
    }
    expect(await traces(conversationId)).toEqual(before);
    expect(before).toMatchObject({ ratings: 0, files: 0 });
    await expect(smtp.next(300)).rejects.toThrow('no email arrived');
    // No token at all: 401, as before.
    expect((await t.app.inject({ method: 'POST', url: '/api/widget/rating', payload: { conversationId, rating: 3 } })).statusCode).toBe(401);

    // Control: the shopper's own second browser, with the same proof, is let in.
    const phone = await session(tenant, verified('cust-1'));
    expect((await rate(phone.token, conversationId, 2)).statusCode).toBe(200);
  });

  it("sends a read on one device to the shopper's other devices (their unread markers), never to a stranger", async () => {
    const laptop = await session(tenant, verified('cust-1'));
    const phone = await session(tenant, verified('cust-1'));
    const forged = await session(tenant, { identity: { userId: 'cust-1' } });
    const conversationId = await writes(laptop.visitorId, 'Is it in stock?');
    await t.app.inject({ method: 'POST', url: `/api/conversations/${conversationId}/messages`, headers: admin.headers, payload: { clientId: 'r1', body: 'Yes, 3 left.' } });
    const onLaptop = await connect(laptop.token);
    const onPhone = await connect(phone.token);
    const stranger = await connect(forged.token);

    // A stranger's read mark on it is dropped: nothing moves, nobody hears it.
    stranger.send({ type: 'receipt', conversationId, readSeq: 2 });
    stranger.send({ type: 'ping' });
    await stranger.next('pong');
    const untouched = await t.ctx.storage.db.selectFrom('conversations').select(['visitor_read_seq']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(untouched.visitor_read_seq).toBe(0);
    // The phone (which never wrote in it) reads the laptop's conversation: the laptop hears it.
    onPhone.send({ type: 'receipt', conversationId, readSeq: 2 });
    expect(await onLaptop.next((f) => f.type === 'receipt' && f.by === 'visitor')).toEqual({ type: 'receipt', conversationId, by: 'visitor', deliveredSeq: 2, readSeq: 2 });
    const conv = await t.ctx.storage.db.selectFrom('conversations').select(['visitor_read_seq']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(conv.visitor_read_seq).toBe(2);
    stranger.send({ type: 'ping' });
    await stranger.next('pong');
    expect(stranger.frames.filter((f) => f.type === 'receipt')).toEqual([]);
    expect(onLaptop.frames.filter((f) => f.type === 'receipt')).toEqual([]); // only the one above
  });
});
