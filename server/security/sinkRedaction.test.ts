import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { logStreamWrite, redactDeep, redactDownload, redactHttp, SKIP_KEYS } from './sinkRedaction.js';
import { identityHash } from './visitorIdentity.js';
import { aadFor } from './sealedFields.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type TestParley } from '../testing/testParley.js';

describe('sink redaction', () => {
  it('redacts every string of a value, keys included, and keeps what holds no card as the same object', () => {
    const clean = { a: 'hello', n: 4242424242424242, list: ['x'] };
    expect(redactDeep(clean)).toBe(clean);
    expect(redactDeep({ note: 'card 4242\t4242\t4242\t4242', nested: [{ '4111111111111111': 'k' }] })).toEqual({ note: 'card [card •••• 4242]', nested: [{ '[card •••• 1111]': 'k' }] });
    expect(redactDeep({ password: '4242424242424242', name: '4242424242424242' }, SKIP_KEYS)).toEqual({ password: '4242424242424242', name: '[card •••• 4242]' });
  });

  it('keeps ids whose hex digits hold a card-shaped run (CI 2026-12-07: an audit entry was filed under a masked tenant id)', () => {
    // Each of these was masked by the redactor before machine identifiers were recognised.
    const record = { tenantId: 'ten_01a24f3537d4414602898990d5a9', resourceId: 'msg_01a24f3537db0b56067484407160', details: { clientId: 'caaae777-30f0-49a3-8881-912891701d79', sha256: '5d8f6cce532a7aeb57196be62344095936793400b3aeb3580d248b17d5518a86' } };
    expect(redactDeep(record)).toBe(record);
    expect(redactDeep({ ...record, note: 'paid with 4111 1111 1111 1111' }).note).toBe('paid with [card •••• 1111]');
  });

  it('redacts a log line however the card hides in JSON (escaped tabs and line breaks, any digits)', () => {
    const line = JSON.stringify({ level: 10, msg: 'frame', body: '4242\t4242\n4242 ４２４２', err: { message: 'bad 5555-5555-5555-4444' } }) + '\n';
    const out = logStreamWrite(line);
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toMatchObject({ body: '[card •••• 4242]', err: { message: 'bad [card •••• 4444]' } });
    expect(logStreamWrite('not json 4111 1111 1111 1111')).toBe('not json [card •••• 1111]');
  });

  it('redacts downloads as JSON or as text', () => {
    expect(JSON.parse(redactDownload('{"name":"4242 4242 4242 4242"}', 'application/json'))).toEqual({ name: '[card •••• 4242]' });
    expect(redactDownload('name,card\r\nAnn,"4111.1111.1111.1111"\r\n', 'text/csv')).toBe('name,card\r\nAnn,"[card •••• 1111]"\r\n');
  });
});

describe('HTTP inputs behind a proxy', () => {
  it('a forwarded client address that is not an IP address is not the client address (issue 15: it could carry a card)', async () => {
    const app = Fastify({ trustProxy: true });
    redactHttp(app);
    app.get('/ip', async (req) => ({ ip: req.ip }));
    const ip = async (xff: string) => ((await app.inject({ url: '/ip', headers: { 'x-forwarded-for': xff } })).json() as { ip: string }).ip;
    expect(await ip('4111-1111-1111-1111')).toBe('127.0.0.1');
    expect(await ip('4111-1111-1111-1111, 203.0.113.7')).toBe('203.0.113.7');
    expect(await ip('198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
    await app.close();
  });
});

describe('identity: the signed user id', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('is verified as sent and stored redacted', async () => {
    const tenant = await makeTenant(t);
    const admin = await login(t, await makeAgent(t, tenant, 'admin'));
    const settings = await t.app.inject({ method: 'POST', url: '/api/contact-settings', headers: admin.headers, payload: { rotateIdentitySecret: true } });
    const secret = settings.json().identitySecret as string;
    const userId = '4111111111111111';
    const session = await t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: tenant.widget_key, page: 'https://shop.example/', identity: { userId, hash: identityHash(secret, userId) } } });
    expect(session.statusCode, session.body).toBe(200);
    const { visitorId } = session.json() as { visitorId: string };
    // Verified: the signature was checked on the user id as the tenant's page sent it.
    const row = await t.ctx.storage.db.selectFrom('visitor_context').select(['verified', 'user_id']).where('visitor_id', '=', visitorId).executeTakeFirstOrThrow();
    expect(Number(row.verified)).toBe(1);
    const stored = await t.ctx.keyring.open(tenant.id, aadFor(tenant.id, 'visitor_context', 'user_id', visitorId), row.user_id!);
    expect(stored).toBe('[card •••• 1111]');
  });
});
