import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import { Keyring } from './keyring.js';

describe('keyring: first use of a new tenant under concurrency', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('creates one data key and one search key when many first uses race (two nodes), and every caller gets the winner', async () => {
    const tenant = await makeTenant(t);
    // Two keyrings on one database: two nodes, each with an empty cache, both creating the first keys.
    const other = new Keyring(t.ctx.storage, { current: t.ctx.env.masterKey });
    const keyrings = [t.ctx.keyring, other];
    const [dataKeys, searchKeys] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, (_, i) => keyrings[i % 2]!.dataKey(tenant.id))),
      Promise.all(Array.from({ length: 12 }, (_, i) => keyrings[i % 2]!.searchKey(tenant.id))),
    ]);
    expect(new Set(dataKeys.map((k) => k.version))).toEqual(new Set([1]));
    // Every caller, on either node, holds the one stored key, not a losing candidate.
    expect(new Set(dataKeys.map((k) => k.key.toString('hex'))).size).toBe(1);
    expect(new Set(searchKeys.map((k) => k.toString('hex'))).size).toBe(1);
    const rows = await t.ctx.storage.keys.db.selectFrom('tenant_keys').select(['purpose', 'version']).where('tenant_id', '=', tenant.id).execute();
    expect(rows.map((r) => `${r.purpose}/${r.version}`).sort()).toEqual(['data/1', 'search/1']);
  });

  it('stores every one of several first messages of a new tenant arriving at once', async () => {
    const tenant = await makeTenant(t);
    const visitors = await Promise.all(Array.from({ length: 6 }, () => visitorSession(t, tenant)));
    const results = await Promise.allSettled(
      visitors.map((v, i) => createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: v.visitorId }, { clientId: `first-${i}`, body: `hello number ${i}` })),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const stored = await t.ctx.storage.db.selectFrom('messages').select('id').where('tenant_id', '=', tenant.id).execute();
    expect(stored).toHaveLength(6);
  });
});
