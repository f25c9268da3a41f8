import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, type TestParley } from '../../testing/testParley.js';

describe('POST /api/widget/session: per-address limit on new visitors', () => {
  let t: TestParley;
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  const session = (key: string, address: string) =>
    t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key }, remoteAddress: address });
  const visitors = async () => Number((await t.ctx.storage.db.selectFrom('visitors').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses an address over its limit with 429 and creates no visitor; other addresses are not affected', async () => {
    t = await startTestParley({ env: { RATE_LIMITS: 'sessionsPerAddress=3' } });
    const tenant = await makeTenant(t);
    for (let i = 0; i < 3; i++) expect((await session(tenant.widget_key, '203.0.113.7')).statusCode).toBe(200);
    const before = await visitors();
    const refused = await session(tenant.widget_key, '203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'rate_limited' });
    expect(refused.json().error.message).toMatch(/visitor sessions from your address \(limit 3 per minute\)/);
    expect(await visitors()).toBe(before);
    expect((await session(tenant.widget_key, '198.51.100.9')).statusCode).toBe(200);
  });

  it('has a default limit, and RATE_LIMITS=off removes it', async () => {
    t = await startTestParley({ env: { RATE_LIMITS: 'off' } });
    const tenant = await makeTenant(t);
    for (let i = 0; i < 5; i++) expect((await session(tenant.widget_key, '203.0.113.8')).statusCode).toBe(200);
    const { LIMITS } = await import('../../../protocol/limits.js');
    expect(LIMITS.rate.sessionsPerAddress).toBeGreaterThan(0);
  });
});
