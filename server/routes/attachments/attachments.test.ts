import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { createMessage } from '../../commands/messageCreator.js';
import { exposureReport } from '../../security/exposureReport.js';
import type { Tenant } from '../../storage/schema.js';
import { pngWith } from '../../testing/fileFixtures.js';

const PNG = pngWith(); // a real image: its structure is followed to strip metadata (security/imageMetadata.ts)
const PDF = Buffer.from('%PDF-1.4\n% test document\n');

describe('attachments', () => {
  let t: TestParley;
  let tenant: Tenant;
  let me: LoggedIn;
  let visitor: { token: string; visitorId: string };
  let conversationId: string;

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    me = await login(t, await makeAgent(t, tenant));
    visitor = await visitorSession(t, tenant, { name: 'Ada' });
    conversationId = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: visitor.visitorId }, { clientId: 'c1', body: 'hi' })).message.conversationId;
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const upload = (url: string, bytes: Buffer, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/octet-stream', ...headers }, payload: bytes });

  it('stores an image checked by content outside the web root and serves it with safe headers', async () => {
    const res = await upload(`/api/attachments?conversationId=${conversationId}&name=${encodeURIComponent('../../evil".png')}`, PNG, me.headers);
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json();
    expect(m.attachment).toMatchObject({ name: 'evil.png', type: 'image/png', size: PNG.length });
    expect(m.body).toBe('evil.png');
    expect(existsSync(join(t.dataDir, 'attachments', tenant.id, m.attachment.id))).toBe(true);

    const file = await t.app.inject({ method: 'GET', url: m.attachment.url });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(PNG)).toBe(true);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toContain('sandbox');
    expect(file.headers['content-disposition']).toMatch(/^inline; filename="evil.png"/);
    // Opened in a tab from another site (the widget's loader, on the host page): a download, never rendered.
    // As an <img> anywhere, or in a tab from Parley's own pages (the console's preview): inline.
    const as = async (dest: string, site: string) =>
      String((await t.app.inject({ method: 'GET', url: m.attachment.url, headers: { 'sec-fetch-dest': dest, 'sec-fetch-site': site } })).headers['content-disposition']);
    expect(await as('document', 'cross-site')).toMatch(/^attachment; filename="evil.png"/);
    expect(await as('document', 'same-site')).toMatch(/^attachment; /);
    expect(await as('image', 'cross-site')).toMatch(/^inline; /);
    expect(await as('document', 'same-origin')).toMatch(/^inline; /);
    // The message history carries the attachment for both sides.
    const list = (await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/messages`, headers: me.headers })).json().items;
    expect(list.at(-1).attachment.url).toBe(m.attachment.url);
    // A wrong key or id is not found.
    expect((await t.app.inject({ method: 'GET', url: m.attachment.url.replace(/\/[^/]+$/, '/AAAAAAAAAAAAAAAAAAAAAAAA') })).statusCode).toBe(404);
  });

  it('lets the visitor send a document, downloaded as an attachment, and refuses anything else', async () => {
    const bearer = { authorization: `Bearer ${visitor.token}` };
    const res = await upload('/api/widget/attachments?name=invoice.pdf', PDF, bearer);
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json();
    expect(m.author.kind).toBe('visitor');
    const file = await t.app.inject({ method: 'GET', url: m.attachment.url });
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="invoice.pdf"/);

    // HTML (or SVG, or a script) named .png is refused: the type comes from the bytes.
    expect((await upload('/api/widget/attachments?name=cat.png', Buffer.from('<html><script>alert(1)</script>'), bearer)).statusCode).toBe(400);
    expect((await upload('/api/widget/attachments?name=x.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), bearer)).statusCode).toBe(400);
    expect((await upload('/api/widget/attachments?name=big.png', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), bearer)).statusCode).toBe(413);
    expect((await upload('/api/widget/attachments?name=x.pdf', PDF, {})).statusCode).toBe(401);
    // Another tenant's agent cannot attach to this conversation.
    const other = await login(t, await makeAgent(t, await makeTenant(t)));
    expect((await upload(`/api/attachments?conversationId=${conversationId}&name=a.png`, PNG, other.headers)).statusCode).toBe(404);
  });

  it('puts every download in the access audit: the agent by session, anyone else by the link', async () => {
    const res = await upload(`/api/attachments?conversationId=${conversationId}&name=receipt.png`, PNG, me.headers);
    const { attachment } = res.json();
    const downloads = () =>
      t.ctx.storage.db.selectFrom('audit_log').select(['actor_kind', 'actor_id', 'credential', 'address', 'conversation_id', 'visitor_id', 'resource_id']).where('action', '=', 'attachment.read').orderBy('seq').execute();

    // The console: the agent's session cookie comes along.
    expect((await t.app.inject({ method: 'GET', url: attachment.url, headers: { cookie: me.cookie } })).statusCode).toBe(200);
    // The widget (no session), and an agent of another tenant: both are the link.
    expect((await t.app.inject({ method: 'GET', url: attachment.url })).statusCode).toBe(200);
    const stranger = await login(t, await makeAgent(t, await makeTenant(t)));
    expect((await t.app.inject({ method: 'GET', url: attachment.url, headers: { cookie: stranger.cookie } })).statusCode).toBe(200);
    // A wrong key reads nothing and records nothing.
    expect((await t.app.inject({ method: 'GET', url: attachment.url.replace(/\/[^/]+$/, '/AAAAAAAAAAAAAAAAAAAAAAAA') })).statusCode).toBe(404);

    const rows = await downloads();
    expect(rows.map((r) => [r.actor_kind, r.credential])).toEqual([
      ['agent', expect.stringMatching(/^session:[0-9a-f]{16}$/)],
      ['link', `link:${attachment.id}`],
      ['link', `link:${attachment.id}`],
    ]);
    for (const r of rows) expect(r).toMatchObject({ conversation_id: conversationId, visitor_id: visitor.visitorId, resource_id: attachment.id });

    // Whoever held the link is found by the exposure report, with the visitor it exposed.
    const report = await exposureReport(t.ctx, { credential: `link:${attachment.id}` }, { kind: 'system', job: 'test' });
    expect(report.totals).toMatchObject({ tenants: 1, visitors: 1, conversations: 1, accesses: 2 });
    expect(report.tenants[0]!.visitors[0]).toMatchObject({ visitorId: visitor.visitorId, name: 'Ada' });
  });
});
