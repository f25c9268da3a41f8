import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import { eraseVisitor } from '../security/dataLifecycle.js';

describe('visitor names in messages', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('copies the name the visitor gave last, and forgets it when the visitor is erased', async () => {
    const tenant = await makeTenant(t);
    const { token, visitorId } = await visitorSession(t, tenant, { name: 'Ada' });
    const actor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId };
    const send = async (clientId: string) => (await createMessage(t.ctx, actor, { clientId, body: 'hello' })).message.author.name;
    expect(await send('c1')).toBe('Ada');
    expect(await send('c2')).toBe('Ada');
    // The same visitor (same token) gives another name: their next message carries it.
    await visitorSession(t, tenant, { token, name: 'Grace' });
    expect(await send('c3')).toBe('Grace');
    await eraseVisitor(t.ctx, tenant.id, visitorId);
    // Erased: no name is left to copy; a message from the erased visitor's old token starts over as "Visitor".
    await t.ctx.storage.db.insertInto('visitors').values({ id: visitorId, tenant_id: tenant.id, name: null, email: null, current_page: null, user_agent: null, created_at: Date.now(), last_seen_at: Date.now(), key_version: 1 }).execute();
    expect(await send('c4')).toBe('Visitor');
  });
});
