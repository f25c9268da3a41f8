/**
 * Proactive messages (issue 20 item 4) on a real node, SQLite and PostgreSQL (vitest projects): rules
 * (validation, roles, audit, redaction, tenant isolation), matching on the page name, the seconds on
 * the page, a page attribute (equal, verified only when signed) and the identity; the per-visitor
 * limit, each rule's cooldown, nothing during an open conversation; shown / opened / replied counted
 * once each in the report and its CSV; bad input refused with nothing changed; other tenants see and
 * touch nothing.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { createMessage } from '../../commands/messageCreator.js';
import { identityHash, signIdentityJwt } from '../../security/visitorIdentity.js';
import { newId } from '../../security/ids.js';
import { PROACTIVE_LIMITS } from '../../../protocol/proactive.js';
import type { Tenant } from '../../storage/schema.js';
import '../../storage/proactiveSchema.js';

const HOUR = 3_600_000;

describe('proactive messages', () => {
  let t: TestParley;
  let tenant: Tenant;
  let adminIn: LoggedIn;

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    adminIn = await login(t, await makeAgent(t, tenant, 'admin'));
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: { headers: Record<string, string> } | null = adminIn, payload?: object) =>
    t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const ruleBody = (extra: Record<string, unknown> = {}) => ({
    name: 'Size help',
    message: 'Need help choosing a size?',
    page: null,
    minSeconds: 0,
    attribute: null,
    value: null,
    verifiedOnly: false,
    audience: 'everyone',
    cooldownHours: 24,
    enabled: true,
    ...extra,
  });
  async function rule(extra: Record<string, unknown> = {}, who: LoggedIn = adminIn): Promise<{ id: string; message: string }> {
    const res = await api('POST', '/api/proactive-rules', who, ruleBody(extra));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  let keys = 0;
  const visitorKey = () => `vk${String(++keys).padStart(4, '0')}${newId('k').slice(-14)}`;
  const ask = (body: Record<string, unknown>, opts: { token?: string; forTenant?: Tenant } = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/widget/proactive',
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      payload: { key: (opts.forTenant ?? tenant).widget_key, secondsOnPage: 0, ...body },
    });
  async function shown(body: Record<string, unknown>, opts: { token?: string; forTenant?: Tenant } = {}): Promise<{ message: { deliveryId: string; text: string; shownAt: string } | null; retryInSeconds: number | null }> {
    const res = await ask(body, opts);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  const event = (body: Record<string, unknown>, opts: { token?: string; forTenant?: Tenant } = {}) =>
    t.app.inject({ method: 'POST', url: '/api/widget/proactive/events', headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {}, payload: { key: (opts.forTenant ?? tenant).widget_key, ...body } });
  const deliveries = () => t.ctx.storage.db.selectFrom('proactive_deliveries').selectAll().execute();
  async function secret(): Promise<string> {
    const res = await api('POST', '/api/contact-settings', adminIn, { rotateIdentitySecret: true });
    return res.json().identitySecret as string;
  }
  const inFiveMinutes = () => Math.floor(Date.now() / 1000) + 300;

  it('keeps rules per tenant: admins edit (audited, text redacted), agents and other tenants cannot, bad input changes nothing', async () => {
    const made = await rule({ message: 'Paying with 4111 1111 1111 1111? Ask us', page: 'checkout' });
    expect(made.message).not.toContain('4111 1111 1111 1111');
    expect(made.message).toContain('1111'); // masked, last four kept
    // Bad input: clear 4xx, nothing stored or changed.
    for (const bad of [
      ruleBody({ message: '' }),
      ruleBody({ message: 'x'.repeat(PROACTIVE_LIMITS.text + 1) }),
      ruleBody({ minSeconds: -1 }),
      ruleBody({ cooldownHours: 0 }),
      ruleBody({ audience: 'robots' }),
      ruleBody({ value: 'gold' }), // a value with no attribute
      ruleBody({ verifiedOnly: true }), // nothing to verify
      ruleBody({ page: '   ' }),
      { ...ruleBody(), extra: 1 },
    ]) {
      const res = await api('POST', '/api/proactive-rules', adminIn, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await api('PUT', `/api/proactive-rules/${made.id}`, adminIn, ruleBody({ name: '' }))).statusCode).toBe(400);
    const list = (await api('GET', '/api/proactive-rules')).json().items as Array<{ id: string; name: string; page: string | null }>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: made.id, name: 'Size help', page: 'checkout' });

    // An agent reads but does not edit; a content:read key cannot write.
    const agentIn = await login(t, await makeAgent(t, tenant, 'agent'));
    expect((await api('GET', '/api/proactive-rules', agentIn)).statusCode).toBe(200);
    expect((await api('POST', '/api/proactive-rules', agentIn, ruleBody())).statusCode).toBe(403);
    expect((await api('DELETE', `/api/proactive-rules/${made.id}`, agentIn)).statusCode).toBe(403);
    const readKey = await makeApiKey(t, adminIn, ['content:read']);
    expect((await api('POST', '/api/proactive-rules', { headers: { authorization: `Bearer ${readKey}` } }, ruleBody())).statusCode).toBe(403);
    const writeKey = await makeApiKey(t, adminIn, ['content:write']);
    expect((await api('PUT', `/api/proactive-rules/${made.id}`, { headers: { authorization: `Bearer ${writeKey}` } }, ruleBody({ name: 'Sizes' }))).statusCode).toBe(200);

    // Another tenant: sees none, and its admin cannot change or delete this one (not found).
    const other = await makeTenant(t);
    const otherIn = await login(t, await makeAgent(t, other, 'admin'));
    expect((await api('GET', '/api/proactive-rules', otherIn)).json().items).toEqual([]);
    expect((await api('PUT', `/api/proactive-rules/${made.id}`, otherIn, ruleBody({ name: 'Mine now' }))).statusCode).toBe(404);
    expect((await api('DELETE', `/api/proactive-rules/${made.id}`, otherIn)).statusCode).toBe(404);
    expect((await api('GET', '/api/proactive-rules')).json().items[0]).toMatchObject({ id: made.id, name: 'Sizes' });

    expect((await api('DELETE', `/api/proactive-rules/${made.id}`)).statusCode).toBe(204);
    expect((await api('GET', '/api/proactive-rules')).json().items).toEqual([]);
    const audit = await t.ctx.storage.db.selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', tenant.id).where('action', 'like', 'proactive_rule.%').orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['proactive_rule.create', 'proactive_rule.update', 'proactive_rule.delete']);
    expect(JSON.stringify(audit)).not.toContain('4111 1111 1111 1111');
  });

  it('matches on the page name the page declared, and on the seconds on the page (asking again when told)', async () => {
    await rule({ name: 'Checkout', message: 'Questions about delivery?', page: 'checkout' });
    await rule({ name: 'Lingering', message: 'Still looking?', page: 'product', minSeconds: 30 });
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'home', attributes: {} } })).message).toBeNull();
    expect((await shown({ visitorKey: visitorKey() })).message).toBeNull(); // no page declared
    const got = await shown({ visitorKey: visitorKey(), context: { page: 'checkout', attributes: {} } });
    expect(got.message?.text).toBe('Questions about delivery?');

    const k = visitorKey();
    const early = await shown({ visitorKey: k, context: { page: 'product', attributes: {} }, secondsOnPage: 12 });
    expect(early).toEqual({ message: null, retryInSeconds: 18 });
    expect((await shown({ visitorKey: k, context: { page: 'product', attributes: {} }, secondsOnPage: 30 })).message?.text).toBe('Still looking?');
    // A disabled rule never shows.
    const off = await rule({ name: 'Off', message: 'Hidden', page: 'faq', enabled: false });
    expect(off.id).toBeTruthy();
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'faq', attributes: {} } })).message).toBeNull();
  });

  it('matches an attribute by value, and counts it (or the page) as verified only when the tenant’s backend signed it', async () => {
    const s = await secret();
    await rule({ name: 'Gold', message: 'Welcome back, gold member', attribute: 'plan', value: 'gold', verifiedOnly: true });
    await rule({ name: 'Any cart', message: 'Your cart is waiting', attribute: 'cart' });
    const plainGold = await shown({ visitorKey: visitorKey(), context: { page: 'home', attributes: { plan: 'gold' } } });
    expect(plainGold.message).toBeNull(); // anyone can type plan=gold: not verified
    const signed = signIdentityJwt(s, { attributes: { plan: 'gold' }, exp: inFiveMinutes() });
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'home', attributes: {}, signed } })).message?.text).toBe('Welcome back, gold member');
    const forged = signIdentityJwt('not-the-secret', { attributes: { plan: 'gold' }, exp: inFiveMinutes() });
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'home', attributes: {}, signed: forged } })).message).toBeNull();
    const silver = signIdentityJwt(s, { attributes: { plan: 'silver' }, exp: inFiveMinutes() });
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'home', attributes: {}, signed: silver } })).message).toBeNull();
    // Attribute present, any value, plain is enough for a rule that does not ask for verification.
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'home', attributes: { cart: '2 items' } } })).message?.text).toBe('Your cart is waiting');

    // A verified page name: only from the signed claim.
    await rule({ name: 'Signed page', message: 'Order help', page: 'orders', verifiedOnly: true });
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'orders', attributes: {} } })).message).toBeNull();
    const signedPage = signIdentityJwt(s, { page: 'orders', exp: inFiveMinutes() });
    expect((await shown({ visitorKey: visitorKey(), context: { page: 'x', attributes: {}, signed: signedPage } })).message?.text).toBe('Order help');
  });

  it('matches the audience on the identity, verified only with the tenant’s secret', async () => {
    const s = await secret();
    await rule({ name: 'Members', message: 'Hello again', audience: 'identified' });
    await rule({ name: 'Guests', message: 'First time here?', audience: 'anonymous' });
    const verified = { userId: 'u-42', hash: identityHash(s, 'u-42') };
    expect((await shown({ visitorKey: visitorKey(), identity: verified })).message?.text).toBe('Hello again');
    // A claimed identity that does not verify is no identity.
    expect((await shown({ visitorKey: visitorKey(), identity: { userId: 'u-42', hash: 'ab'.repeat(32) } })).message?.text).toBe('First time here?');
    expect((await shown({ visitorKey: visitorKey() })).message?.text).toBe('First time here?');
  });

  it('limits per visitor: a rule once per cooldown, at most N per period, none during an open conversation', async () => {
    const a = await rule({ name: 'A', message: 'A?', cooldownHours: 2 });
    await rule({ name: 'B', message: 'B?' });
    await rule({ name: 'C', message: 'C?' });
    await rule({ name: 'D', message: 'D?' });
    const k = visitorKey();
    const texts: Array<string | null> = [];
    for (let i = 0; i < 5; i++) texts.push((await shown({ visitorKey: k })).message?.text ?? null);
    // Each rule at most once, and PROACTIVE_LIMITS.perVisitor (3) in the period.
    expect(texts).toEqual(['A?', 'B?', 'C?', null, null]);
    expect((await deliveries()).filter((d) => d.visitor_key === k)).toHaveLength(PROACTIVE_LIMITS.perVisitor);
    // Another browser is another visitor.
    expect((await shown({ visitorKey: visitorKey() })).message?.text).toBe('A?');

    // Past A's cooldown (2 h) but within the period: still at the per-visitor limit.
    const db = t.ctx.storage.db;
    await db.updateTable('proactive_deliveries').set({ shown_at: Date.now() - 3 * HOUR }).where('visitor_key', '=', k).where('rule_id', '=', a.id).execute();
    expect((await shown({ visitorKey: k })).message).toBeNull();
    // Everything older than the period: A may show again (its cooldown is over), B and C not yet (24 h).
    await db.updateTable('proactive_deliveries').set({ shown_at: Date.now() - 25 * HOUR }).where('visitor_key', '=', k).execute();
    await db.updateTable('proactive_deliveries').set({ shown_at: Date.now() - 20 * HOUR }).where('visitor_key', '=', k).where('rule_id', '!=', a.id).execute();
    expect((await shown({ visitorKey: k })).message?.text).toBe('A?');

    // The limit follows the visitor across browsers once it has a session (token).
    const v = await visitorSession(t, tenant);
    const k1 = visitorKey();
    for (let i = 0; i < 3; i++) expect((await shown({ visitorKey: k1 }, { token: v.token })).message).not.toBeNull();
    expect((await shown({ visitorKey: visitorKey() }, { token: v.token })).message).toBeNull();

    // In a conversation: nothing.
    const w = await visitorSession(t, tenant);
    await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: w.visitorId }, { clientId: 'c-open', body: 'Hi' });
    expect((await shown({ visitorKey: visitorKey() }, { token: w.token })).message).toBeNull();
  });

  it('holds the per-visitor limits when asks arrive at once (real HTTP, concurrent)', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    const askOverHttp = async (body: Record<string, unknown>, token?: string) => {
      const res = await fetch(`http://127.0.0.1:${addr.port}/api/widget/proactive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ key: tenant.widget_key, secondsOnPage: 0, ...body }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { message: { text: string } | null }).message?.text ?? null;
    };
    const burst = (n: number, body: () => Record<string, unknown>, token?: string) => Promise.all(Array.from({ length: n }, () => askOverHttp(body(), token)));
    // One rule, one browser: once per cooldown, however many tabs ask together.
    await rule({ name: 'Only', message: 'Once?' });
    const once = visitorKey();
    expect((await burst(10, () => ({ visitorKey: once }))).filter(Boolean)).toEqual(['Once?']);
    // More rules than the limit: at most PROACTIVE_LIMITS.perVisitor, each rule once, for one browser…
    for (const n of ['B', 'C', 'D']) await rule({ name: n, message: `${n}?` });
    const k = visitorKey();
    const texts = (await burst(10, () => ({ visitorKey: k }))).filter(Boolean);
    expect(texts).toHaveLength(PROACTIVE_LIMITS.perVisitor);
    expect(new Set(texts).size).toBe(texts.length);
    // …and for one visitor asking from many browsers at once (a verified shopper's devices).
    const v = await visitorSession(t, tenant);
    expect((await burst(10, () => ({ visitorKey: visitorKey() }), v.token)).filter(Boolean)).toHaveLength(PROACTIVE_LIMITS.perVisitor);
    expect((await deliveries()).filter((d) => d.visitor_id === v.visitorId)).toHaveLength(PROACTIVE_LIMITS.perVisitor);
  });

  it('counts shown, opened and replied once each (replied only with the visitor’s own message after it), in the report and its CSV', async () => {
    const r = await rule({ name: 'Checkout', message: 'Questions about delivery?', page: 'checkout' });
    const k = visitorKey();
    const got = (await shown({ visitorKey: k, context: { page: 'checkout', attributes: {} } })).message!;
    expect((await event({ visitorKey: k, deliveryId: got.deliveryId, event: 'opened' })).statusCode).toBe(204);
    expect((await event({ visitorKey: k, deliveryId: got.deliveryId, event: 'opened' })).statusCode).toBe(204);
    // Replied: needs the visitor token, and a message of that visitor sent after the message showed.
    expect((await event({ visitorKey: k, deliveryId: got.deliveryId, event: 'replied' })).statusCode).toBe(401);
    const v = await visitorSession(t, tenant);
    expect((await event({ visitorKey: k, deliveryId: got.deliveryId, event: 'replied' }, { token: v.token })).statusCode).toBe(409);
    await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: v.visitorId }, { clientId: 'c-reply', body: 'Yes: is express available?' });
    expect((await event({ visitorKey: k, deliveryId: got.deliveryId, event: 'replied' }, { token: v.token })).statusCode).toBe(204);
    expect((await event({ visitorKey: k, deliveryId: got.deliveryId, event: 'replied' }, { token: v.token })).statusCode).toBe(204);
    // Shown to a second browser, never opened.
    await shown({ visitorKey: visitorKey(), context: { page: 'checkout', attributes: {} } });
    // Another browser's key cannot report on this one.
    expect((await event({ visitorKey: visitorKey(), deliveryId: got.deliveryId, event: 'opened' })).statusCode).toBe(404);

    const report = (await api('GET', '/api/reports/proactive')).json();
    expect(report.rows).toEqual([{ rule: { id: r.id, name: 'Checkout' }, shown: 2, opened: 1, replied: 1 }]);
    const csv = await api('GET', '/api/reports/proactive.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[1]).toBe(`${r.id},Checkout,2,1,1`);
    const row = (await deliveries()).find((d) => d.id === got.deliveryId)!;
    expect(row.visitor_id).toBe(v.visitorId);
    // The GDPR export lists it (the rule, its page name, when shown, opened, replied), for the visitor
    // and for its contact; not the other browser's, which no session links to this visitor.
    const listed = [{ id: got.deliveryId, rule: { id: r.id, name: 'Checkout', page: 'checkout' }, shownAt: got.shownAt, openedAt: expect.any(String), repliedAt: expect.any(String) }];
    const exported = await api('GET', `/api/visitors/${v.visitorId}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json().proactiveMessages).toEqual(listed);
    const contactId = (await t.ctx.storage.db.selectFrom('visitors').select('contact_id').where('id', '=', v.visitorId).executeTakeFirstOrThrow()).contact_id;
    expect((await api('GET', `/api/contacts/${contactId}/export`)).json().visitors[0].proactiveMessages).toEqual(listed);
    expect((await api('GET', `/api/visitors/${(await visitorSession(t, tenant)).visitorId}/export`)).json().proactiveMessages).toEqual([]);
    // Erasing the visitor (GDPR) erases what was recorded about them.
    expect((await api('DELETE', `/api/visitors/${v.visitorId}`)).statusCode).toBe(204);
    expect((await deliveries()).find((d) => d.id === got.deliveryId)).toBeUndefined();
  });

  it('refuses bad input with a clear 4xx and changes nothing; another tenant neither gets, reports on nor counts this tenant’s messages', async () => {
    await rule({ page: 'checkout' });
    const k = visitorKey();
    const before = await deliveries();
    expect((await ask({ visitorKey: 'short', context: { page: 'checkout', attributes: {} } })).statusCode).toBe(400);
    expect((await ask({ visitorKey: k, secondsOnPage: -5 })).statusCode).toBe(400);
    expect((await ask({ visitorKey: k, context: { page: 'checkout', attributes: { n: 5 } } })).statusCode).toBe(400);
    expect((await ask({ visitorKey: k, key: 'pk_unknown' })).statusCode).toBe(404);
    expect((await ask({ visitorKey: k }, { token: 'forged.token' })).statusCode).toBe(401);
    expect((await event({ visitorKey: k, deliveryId: 'pmd_nope', event: 'shared' })).statusCode).toBe(400);
    expect(await deliveries()).toEqual(before);

    // Another tenant with the same rule: its visitor token does not work with this widget key, its
    // key does not reach this tenant's deliveries, and the reports stay apart.
    const other = await makeTenant(t);
    const otherIn = await login(t, await makeAgent(t, other, 'admin'));
    expect((await api('POST', '/api/proactive-rules', otherIn, ruleBody({ page: 'checkout', message: 'Other shop' }))).statusCode).toBe(201);
    const stranger = await visitorSession(t, other);
    expect((await ask({ visitorKey: k, context: { page: 'checkout', attributes: {} } }, { token: stranger.token })).statusCode).toBe(401);
    const mine = (await shown({ visitorKey: k, context: { page: 'checkout', attributes: {} } })).message!;
    expect(mine.text).toBe('Need help choosing a size?');
    expect((await event({ visitorKey: k, deliveryId: mine.deliveryId, event: 'opened' }, { forTenant: other })).statusCode).toBe(404);
    const theirs = (await shown({ visitorKey: k, context: { page: 'checkout', attributes: {} } }, { forTenant: other })).message!;
    expect(theirs.text).toBe('Other shop'); // the same browser key counts per tenant
    expect((await api('GET', '/api/reports/proactive', otherIn)).json().rows).toEqual([expect.objectContaining({ shown: 1, opened: 0, replied: 0 })]);
    expect((await api('GET', '/api/reports/proactive')).json().rows).toEqual([expect.objectContaining({ shown: 1, opened: 0 })]);
  });
});
