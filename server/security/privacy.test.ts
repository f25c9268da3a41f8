import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanupTestParley, dialectUnderTest, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type LoggedIn, type TestParley, mainTables } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import type { Agent, Tenant } from '../storage/schema.js';
import { newId } from './ids.js';
import { newWebhookSecret, verifyWebhook } from '../webhooks/signing.js';
import { blindToken } from './blindIndex.js';
import { verifyAudit } from './auditLog.js';
import { exposureCsv, exposureReport, notifyExposure } from './exposureReport.js';
import { DAY_MS, KEY_DESTROY_GRACE_MS, runRetention } from './dataLifecycle.js';
import { patternProblem } from './redactionPatterns.js';
import { openMessages } from './sealedFields.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { storeAttachment } from '../commands/attachmentStorer.js';
import { rateConversation } from '../commands/satisfactionRater.js';
import { recordVisitorContext } from '../commands/visitorContextRecorder.js';

const PDF = Buffer.from('%PDF-1.4\n% test document\n');

describe('search, access audit, exposure reports, retention, GDPR, redaction patterns', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agent: Agent;
  let me: LoggedIn;
  let logLines: string[];

  async function chat(of: Tenant, name: string, email: string, ...bodies: string[]) {
    const { visitorId, token } = await visitorSession(t, of, { name, email });
    let conversationId = '';
    for (const [i, body] of bodies.entries()) {
      conversationId = (await createMessage(t.ctx, { kind: 'visitor', tenantId: of.id, visitorId }, { clientId: `c${i}`, body })).message.conversationId;
    }
    return { visitorId, conversationId, token };
  }
  const get = (url: string, who: LoggedIn = me) => t.app.inject({ method: 'GET', url, headers: who.headers });
  /** Visitor context (user id, page), a rating with a comment and an attachment for a chat. */
  async function contactData(of: Tenant, c: { visitorId: string; conversationId: string }, userId: string, fileName: string) {
    await recordVisitorContext(t.ctx, of.id, c.visitorId, { page: `https://shop.example/${userId}`, identity: { userId } });
    await rateConversation(t.ctx, { tenantId: of.id, visitorId: c.visitorId }, { conversationId: c.conversationId, rating: 3, comment: `comment of ${userId}` });
    const m = await storeAttachment(t.ctx, { kind: 'visitor', tenantId: of.id, visitorId: c.visitorId }, { fileName, bytes: PDF, clientId: `file-${userId}` });
    return { attachment: m.attachment!, file: join(t.dataDir, 'attachments', of.id, m.attachment!.id) };
  }
  const audit = () => t.ctx.storage.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();

  beforeEach(async () => {
    logLines = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) });
    t = await startTestParley({ listen: true, logger: pino({ level: 'trace' }, sink), env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });
    tenant = await makeTenant(t);
    agent = await makeAgent(t, tenant, 'admin');
    me = await login(t, agent);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('searches with blind-index tokens only, all words, within the tenant', async () => {
    const a = await chat(tenant, 'Ann', 'ann@example.com', 'My blue Kayak arrived broken', 'the paddle too');
    const b = await chat(tenant, 'Bob', 'bob@example.com', 'Where is my kayak?');
    const other = await makeTenant(t);
    const foreign = await chat(other, 'Eve', 'eve@example.com', 'kayak broken as well');
    const ids = async (q: string, who = me) => (await get(`/api/conversations/search?q=${encodeURIComponent(q)}`, who)).json().items.map((c: { id: string }) => c.id).sort();
    expect(await ids('kayak')).toEqual([a.conversationId, b.conversationId].sort());
    expect(await ids('KAYAK broken')).toEqual([a.conversationId]);
    expect(await ids('kayak paddle')).toEqual([a.conversationId]); // words from different messages
    expect(await ids('kayak canoe')).toEqual([]);
    const otherAdmin = await login(t, await makeAgent(t, other));
    expect(await ids('kayak', otherAdmin)).toEqual([foreign.conversationId]);
    // The index holds tokens, never words; the same word gives different tokens in each tenant.
    const rows = await t.ctx.storage.db.selectFrom('message_search').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/kayak|broken|paddle/i);
    const tokenA = blindToken(await t.ctx.keyring.searchKey(tenant.id), 'kayak');
    const tokenB = blindToken(await t.ctx.keyring.searchKey(other.id), 'kayak');
    expect(tokenA).not.toBe(tokenB);
    expect(rows.filter((r) => r.token === tokenA).every((r) => r.tenant_id === tenant.id)).toBe(true);
    expect((await get('/api/conversations/search?q=%20!')).statusCode).toBe(400);
    // A search is a read: audited.
    expect((await audit()).filter((e) => e.action === 'conversation.search' && e.actor_id === agent.id).length).toBeGreaterThan(0);
  });

  it('audits every agent read over HTTP and WebSocket, with credential and address', async () => {
    const c = await chat(tenant, 'Ann', 'ann@example.com', 'hello');
    await get('/api/conversations');
    await get(`/api/conversations/${c.conversationId}`);
    await get(`/api/conversations/${c.conversationId}/messages`);
    const session = await t.ctx.storage.db.selectFrom('sessions').select('id').where('agent_id', '=', agent.id).executeTakeFirstOrThrow();
    const entries = (await audit()).filter((e) => e.actor_id === agent.id);
    expect(entries.map((e) => e.action)).toEqual(['conversation.list', 'conversation.read', 'messages.read']);
    for (const e of entries) {
      expect(e).toMatchObject({ actor_kind: 'agent', tenant_id: tenant.id, conversation_id: c.conversationId, visitor_id: c.visitorId, credential: `session:${session.id.slice(0, 16)}`, address: '127.0.0.1' });
    }
    // WebSocket: history frame, and live deliveries (once per conversation per socket session).
    const ws = await TestSocket.open(t, '/ws/agent', { cookie: me.cookie });
    ws.send({ type: 'hello' });
    await ws.next('ready');
    ws.send({ type: 'history', conversationId: c.conversationId, afterSeq: 0 });
    await ws.next('history');
    const visitor = await TestSocket.open(t, '/ws/visitor');
    visitor.send({ type: 'hello', token: c.token });
    await visitor.next('ready');
    for (const id of ['x1', 'x2', 'x3']) {
      visitor.send({ type: 'message.send', clientId: id, body: `live ${id}` });
      await visitor.next('ack');
      await ws.next('message');
    }
    await new Promise((r) => setTimeout(r, 100));
    const wsEntries = (await audit()).filter((e) => e.actor_id === agent.id).slice(3);
    expect(wsEntries.map((e) => e.action)).toEqual(['messages.read', 'conversation.live']);
    expect(wsEntries[1]).toMatchObject({ conversation_id: c.conversationId, visitor_id: c.visitorId, credential: `session:${session.id.slice(0, 16)}` });
    ws.close();
    visitor.close();
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]);
  });

  it('reports exactly what an actor, credential, address or window exposed; CSV, admin API, notifications', async () => {
    const c1 = await chat(tenant, 'Ann Alpha', 'ann@example.com', 'one');
    const c2 = await chat(tenant, 'Ben Beta', 'ben@example.com', 'two');
    await contactData(tenant, c1, 'crm-ann', 'ann-receipt.pdf');
    const c3 = await chat(tenant, 'Cy Gamma', 'cy@example.com', 'three');
    const other = await makeTenant(t);
    const o1 = await chat(other, 'Olga Other', 'olga@example.com', 'four');
    const intruder = await makeAgent(t, tenant);
    const stolen = await login(t, intruder);
    await get(`/api/conversations/${c1.conversationId}`, stolen);
    await get(`/api/conversations/${c2.conversationId}/messages`, stolen);
    await get(`/api/conversations/${c3.conversationId}`, me); // someone else
    const otherAgent = await makeAgent(t, other);
    await get(`/api/conversations/${o1.conversationId}`, await login(t, otherAgent));

    const who = { kind: 'operator' as const, command: 'test' };
    const byActor = await exposureReport(t.ctx, { actorId: intruder.id }, who);
    expect(byActor.totals).toEqual({ tenants: 1, visitors: 2, conversations: 2, accesses: 2 });
    const visitors = byActor.tenants[0]!.visitors.map((v) => ({ name: v.name, email: v.email, conversations: v.conversations.map((x) => x.conversationId) }));
    expect(visitors).toEqual([
      { name: 'Ann Alpha', email: 'ann@example.com', conversations: [c1.conversationId] },
      { name: 'Ben Beta', email: 'ben@example.com', conversations: [c2.conversationId] },
    ]);
    // Contact-centre data of the exposed visitors and conversations, opened.
    const [ann, ben] = byActor.tenants[0]!.visitors;
    expect(ann).toMatchObject({ userId: 'crm-ann', identityVerified: false, pagesSeen: [{ url: 'https://shop.example/crm-ann' }] });
    expect(ann!.conversations[0]).toMatchObject({ rating: { rating: 3, comment: 'comment of crm-ann' }, attachments: [{ name: 'ann-receipt.pdf', type: 'application/pdf' }] });
    expect(ben).toMatchObject({ userId: null, pagesSeen: [] });
    expect(ben!.conversations[0]).toMatchObject({ rating: null, attachments: [] });
    const session = await t.ctx.storage.db.selectFrom('sessions').select('id').where('agent_id', '=', intruder.id).executeTakeFirstOrThrow();
    const byCredential = await exposureReport(t.ctx, { credential: `session:${session.id}` }, who);
    expect(byCredential.totals.visitors).toBe(2);
    // By address: every agent came from 127.0.0.1, across both tenants.
    const byAddress = await exposureReport(t.ctx, { address: '127.0.0.1' }, who);
    expect(byAddress.tenants.map((x) => x.tenantId).sort()).toEqual([tenant.id, other.id].sort());
    expect(byAddress.totals.visitors).toBe(4);
    expect((await exposureReport(t.ctx, { from: Date.now() + 60_000 }, who)).totals.accesses).toBe(0);
    const csv = exposureCsv(byActor).trim().split('\r\n');
    expect(csv[0]).toMatch(/^tenant_id,tenant_slug,tenant_name,visitor_id,visitor_name,visitor_email/);
    expect(csv.slice(1).map((l) => l.split(',')[5]).sort()).toEqual(['ann@example.com', 'ben@example.com']);
    expect(csv[0]).toMatch(/,visitor_user_id,rating,attachments$/);
    expect(csv.find((l) => l.includes('ann@example.com'))).toMatch(/,crm-ann,3,ann-receipt\.pdf$/);

    // Admin API: the tenant admin sees only their tenant, in JSON or CSV; agents are refused.
    const api = await get(`/api/admin/exposure?address=127.0.0.1`);
    expect(api.statusCode).toBe(200);
    expect(api.json().tenants.map((x: { tenantId: string }) => x.tenantId)).toEqual([tenant.id]);
    const apiCsv = await get(`/api/admin/exposure?actor=${intruder.id}&format=csv`);
    expect(apiCsv.headers['content-type']).toMatch(/text\/csv/);
    expect(apiCsv.body).toContain('ben@example.com');
    expect((await get(`/api/admin/exposure?actor=${intruder.id}`, stolen)).statusCode).toBe(403);
    expect((await get('/api/admin/exposure')).statusCode).toBe(400);

    // Notification: a signed webhook (payload sealed at rest) and an email to the tenant's admins.
    const received: string[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => (received.push(body), res.writeHead(204).end()));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    const secret = newWebhookSecret();
    const hookId = newId('whk');
    await t.ctx.storage.db.insertInto('webhooks').values({ id: hookId, tenant_id: tenant.id, url, secret, events: JSON.stringify(['security.exposure_report']), created_at: Date.now(), disabled_at: null }).execute();
    const mails: Array<{ to: string[]; text: string }> = [];
    vi.spyOn(t.ctx.mailer, 'send').mockImplementation(async (m) => (mails.push(m), true));
    expect(await notifyExposure(t.ctx, byActor, who)).toEqual({ tenants: 1, webhooks: 1, emails: 1 });
    const stored = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(stored.payload).toMatch(/^pe1:/);
    expect(stored.payload).not.toContain('ann@example.com');
    await t.webhooks.tick();
    receiver.close();
    expect(received).toHaveLength(1);
    const payload = JSON.parse(received[0]!);
    expect(payload.type).toBe('security.exposure_report');
    expect(payload.data.tenants[0].visitors.map((v: { email: string }) => v.email)).toEqual(['ann@example.com', 'ben@example.com']);
    expect(mails[0]!.to).toEqual([agent.email]);
    expect(mails[0]!.text).toContain('ben@example.com');
    // The delivery itself is audited: which visitors' data went to which URL.
    const delivered = (await audit()).filter((e) => e.action === 'webhook.deliver');
    expect(delivered.map((e) => [e.actor_kind, e.actor_id, e.address, e.conversation_id, e.visitor_id]).sort()).toEqual(
      [
        ['webhook', hookId, url, c1.conversationId, c1.visitorId],
        ['webhook', hookId, url, c2.conversationId, c2.visitorId],
      ].sort(),
    );
    void verifyWebhook;
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]);
  });

  it('exports and erases one visitor on request, audited', async () => {
    const c = await chat(tenant, 'Gdpr Person', 'gdpr@example.com', 'first words', 'second words');
    const keep = await chat(tenant, 'Kept', 'kept@example.com', 'stay');
    const gone = await contactData(tenant, c, 'user-gdpr', 'gdpr-scan.pdf');
    const kept = await contactData(tenant, keep, 'user-kept', 'kept.pdf');
    const exported = await get(`/api/visitors/${c.visitorId}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.json()).toMatchObject({ visitor: { id: c.visitorId, name: 'Gdpr Person', email: 'gdpr@example.com' }, conversations: [{ id: c.conversationId }] });
    expect(exported.json().conversations[0].messages.map((m: { body: string }) => m.body)).toEqual(['first words', 'second words', 'gdpr-scan.pdf']);
    // Contact-centre data, opened: identity and pages seen, the rating and the attachments list.
    expect(exported.json().context).toMatchObject({ userId: 'user-gdpr', identityVerified: false, pagesSeen: [{ url: 'https://shop.example/user-gdpr' }] });
    expect(exported.json().conversations[0].rating).toMatchObject({ rating: 3, comment: 'comment of user-gdpr' });
    expect(exported.json().conversations[0].attachments).toEqual([
      { id: gone.attachment.id, name: 'gdpr-scan.pdf', type: 'application/pdf', size: PDF.length, uploaderKind: 'visitor', createdAt: expect.any(String) },
    ]);
    expect(exported.body).not.toContain('pe1:');
    const plain = await login(t, await makeAgent(t, tenant));
    expect((await t.app.inject({ method: 'DELETE', url: `/api/visitors/${c.visitorId}`, headers: plain.headers })).statusCode).toBe(403);
    const other = await makeTenant(t);
    const foreignAdmin = await login(t, await makeAgent(t, other, 'admin'));
    expect((await t.app.inject({ method: 'DELETE', url: `/api/visitors/${c.visitorId}`, headers: foreignAdmin.headers })).statusCode).toBe(404);
    expect((await get(`/api/visitors/${c.visitorId}/export`, foreignAdmin)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/visitors/${c.visitorId}`, headers: me.headers })).statusCode).toBe(204);
    const db = t.ctx.storage.db;
    expect(await db.selectFrom('visitors').select('id').where('id', '=', c.visitorId).execute()).toEqual([]);
    expect(await db.selectFrom('messages').select('id').where('conversation_id', '=', c.conversationId).execute()).toEqual([]);
    expect(await db.selectFrom('message_search').select('token').where('conversation_id', '=', c.conversationId).execute()).toEqual([]);
    expect(await db.selectFrom('visitors').select('id').where('id', '=', keep.visitorId).execute()).toHaveLength(1);
    // Erasure takes the contact-centre data and the file with it; the other visitor keeps theirs.
    expect(await db.selectFrom('visitor_context').select('visitor_id').where('visitor_id', '=', c.visitorId).execute()).toEqual([]);
    expect(await db.selectFrom('satisfaction_ratings').select('id').where('conversation_id', '=', c.conversationId).execute()).toEqual([]);
    expect(await db.selectFrom('attachments').select('id').where('conversation_id', '=', c.conversationId).execute()).toEqual([]);
    expect(existsSync(gone.file)).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: gone.attachment.url })).statusCode).toBe(404);
    expect(existsSync(kept.file)).toBe(true);
    expect(await db.selectFrom('visitor_context').select('visitor_id').where('visitor_id', '=', keep.visitorId).execute()).toHaveLength(1);
    expect(await db.selectFrom('satisfaction_ratings').select('id').where('conversation_id', '=', keep.conversationId).execute()).toHaveLength(1);
    const actions = (await audit()).filter((e) => e.visitor_id === c.visitorId && e.actor_id === agent.id).map((e) => e.action);
    expect(actions).toEqual(['visitor.export', 'visitor.export', 'visitor.erase']);
  });

  it('expires conversations past the tenant’s retention period and destroys the keys that only protected them', async () => {
    const old = await chat(tenant, 'Old', 'old@example.com', 'ancient history');
    const oldContact = await contactData(tenant, old, 'user-old', 'old.pdf');
    const db = t.ctx.storage.db;
    // Time travel: that chat (and the key version it was written with) is 40 days old.
    const long = Date.now() - 40 * DAY_MS;
    await db.updateTable('conversations').set({ updated_at: long, created_at: long }).where('id', '=', old.conversationId).execute();
    await db.updateTable('visitors').set({ last_seen_at: long }).where('id', '=', old.visitorId).execute();
    await t.ctx.storage.keys.db.updateTable('tenant_keys').set({ created_at: long }).where('tenant_id', '=', tenant.id).execute();
    await db.updateTable('tenants').set({ retention_days: 30 }).where('id', '=', tenant.id).execute();
    // The retention job rotates the 40-day-old key; a new chat uses the new version.
    expect(await runRetention(t.ctx)).toMatchObject({ conversationsDeleted: 1, visitorsDeleted: 1, keysRotated: 1, keysDestroyed: 0 });
    const fresh = await chat(tenant, 'New', 'new@example.com', 'recent');
    expect(await db.selectFrom('conversations').select('id').where('id', '=', old.conversationId).execute()).toEqual([]);
    // Its rating, attachment (row and file) and the visitor's context went with it.
    expect(await db.selectFrom('satisfaction_ratings').select('id').where('conversation_id', '=', old.conversationId).execute()).toEqual([]);
    expect(await db.selectFrom('attachments').select('id').where('conversation_id', '=', old.conversationId).execute()).toEqual([]);
    expect(await db.selectFrom('visitor_context').select('visitor_id').where('visitor_id', '=', old.visitorId).execute()).toEqual([]);
    expect(existsSync(oldContact.file)).toBe(false);
    // After the grace period the old version protects nothing: destroyed.
    const later = await runRetention(t.ctx, Date.now() + KEY_DESTROY_GRACE_MS + 1000);
    expect(later.keysDestroyed).toBe(1);
    const keys = await t.ctx.storage.keys.db.selectFrom('tenant_keys').select(['version', 'wrapped_key', 'destroyed_at']).where('tenant_id', '=', tenant.id).where('purpose', '=', 'data').orderBy('version').execute();
    expect(keys.map((k) => [k.version, k.wrapped_key === null, k.destroyed_at !== null])).toEqual([
      [1, true, true],
      [2, false, false],
    ]);
    const msgs = await db.selectFrom('messages').selectAll().where('conversation_id', '=', fresh.conversationId).execute();
    expect((await openMessages(t.ctx.keyring, msgs)).map((m) => m.body)).toEqual(['recent']);
    const jobEntries = (await audit()).filter((e) => e.credential === 'job:retention');
    expect(jobEntries.map((e) => e.action)).toEqual(['conversation.expire', 'visitor.expire', 'key.destroy']);
    expect(jobEntries[0]).toMatchObject({ actor_kind: 'system', conversation_id: old.conversationId, visitor_id: old.visitorId });
  });

  it('validates tenant redaction patterns and applies them; no full PAN reaches the database, logs, webhooks or email', async () => {
    for (const bad of ['(a+)+$', '(\\d*)*x', '(a|ab)*c', '(x+){2,}', '(\\w)\\1', '(', 'a'.repeat(201), '']) expect(patternProblem(bad), bad).not.toBeNull();
    for (const good of ['ORD-\\d{6}', '\\bIBAN[:\\s]*[A-Z]{2}\\d{2}[A-Z0-9]{10,30}\\b', '(?:\\d{3}-){2}\\d{4}']) expect(patternProblem(good), good).toBeNull();
    const put = (payload: object) => t.app.inject({ method: 'PUT', url: '/api/admin/privacy', headers: me.headers, payload });
    expect((await put({ redactionPatterns: ['(a+)+'] })).statusCode).toBe(400);
    expect((await put({ redactionPatterns: Array(21).fill('x') })).statusCode).toBe(400);
    const ok = await put({ redactionPatterns: ['LOYALTY-\\d{8}'], retentionDays: 90 });
    expect(ok.json()).toEqual({ retentionDays: 90, redactionPatterns: ['LOYALTY-\\d{8}'] });

    const PANS = ['4242 4242 4242 4242', '5555-5555-5555-4444', '378282246310005', '6011111111111117'];
    const c = await chat(tenant, 'Pat', 'pat@example.com', `card ${PANS[0]} cvc 123`, `try ${PANS[1]} or ${PANS[2]}`, `discover ${PANS[3]} loyalty LOYALTY-12345678`, 'order 1234567890 phone +44 20 7946 0958');
    const msgs = await t.ctx.storage.db.selectFrom('messages').selectAll().where('conversation_id', '=', c.conversationId).orderBy('seq').execute();
    const bodies = (await openMessages(t.ctx.keyring, msgs)).map((m) => m.body);
    expect(bodies).toEqual([
      'card [card •••• 4242] cvc [cvc •••]',
      'try [card •••• 4444] or [card •••• 0005]',
      'discover [card •••• 1117] loyalty [redacted]',
      'order 1234567890 phone +44 20 7946 0958', // near misses stay
    ]);
    // A rating comment is visitor text too: redacted the same way before it is sealed.
    await rateConversation(t.ctx, { tenantId: tenant.id, visitorId: c.visitorId }, { conversationId: c.conversationId, rating: 1, comment: `charged twice on ${PANS[1]} cvc 737, LOYALTY-12345678` });
    const panel = (await get(`/api/conversations/${c.conversationId}/context`)).json();
    expect(panel.rating).toEqual({ rating: 1, comment: 'charged twice on [card •••• 4444] cvc [cvc •••], [redacted]' });
    bodies.push(panel.rating.comment);
    await get(`/api/conversations/${c.conversationId}/messages`);
    const report = await exposureReport(t.ctx, { actorId: agent.id }, { kind: 'operator', command: 'test' });
    const mails: string[] = [];
    vi.spyOn(t.ctx.mailer, 'send').mockImplementation(async (m) => (mails.push(m.subject + m.text), true));
    const hook = newId('whk');
    await t.ctx.storage.db.insertInto('webhooks').values({ id: hook, tenant_id: tenant.id, url: 'http://127.0.0.1:9/none', secret: newWebhookSecret(), events: '["*"]', created_at: Date.now(), disabled_at: null }).execute();
    await notifyExposure(t.ctx, report, { kind: 'operator', command: 'test' });
    const deliveries = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().execute();
    const opened = await Promise.all(deliveries.map((d) => t.ctx.keyring.open(d.tenant_id, `${d.tenant_id}|webhook_deliveries.payload|${d.id}`, d.payload)));
    const everything = [JSON.stringify(await dump(t)), logLines.join('\n'), opened.join('\n'), mails.join('\n'), JSON.stringify(bodies)].join('\n');
    for (const pan of PANS) {
      const digits = pan.replace(/\D/g, '');
      expect(everything.replace(/[\s-]/g, ''), pan).not.toContain(digits);
    }
    expect(logLines.length).toBeGreaterThan(0); // the logger did run at trace level
    if (dialectUnderTest() === 'sqlite') expect(everything).not.toContain('LOYALTY-12345678');
  });
});

async function dump(t: TestParley): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const table of await mainTables(t)) out.push(await t.ctx.storage.db.selectFrom(table as never).selectAll().execute());
  return out;
}
