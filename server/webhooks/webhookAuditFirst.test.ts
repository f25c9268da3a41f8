/**
 * A webhook payload is recorded in the access audit before its request is made (docs/SECURITY.md,
 * *Access audit*): the receiver, at the moment it reads the request, finds the `webhook.deliver`
 * entry naming the conversation and visitor already committed; and when the entry cannot be written
 * (the audit writer failed by the test: testing/auditFaults.ts) the receiver gets nothing and the
 * delivery waits for a later pass, not counted as an attempt, then goes out once the audit is back.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditFaults, withAuditFaults } from '../testing/auditFaults.js';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { newId } from '../security/ids.js';
import type { AuditEntry, Tenant } from '../storage/schema.js';
import { newWebhookSecret } from './signing.js';
import { createMessage } from '../commands/messageCreator.js';
import { AUDIT_UNAVAILABLE } from './webhookDeliverer.js';

vi.mock('../security/auditLog.js', async (real) => withAuditFaults(await real<typeof import('../security/auditLog.js')>()));

describe('webhook deliveries are recorded before they are sent, or not sent', () => {
  let t: TestParley;
  let tenant: Tenant;
  let receiver: Server;
  /** Each request the receiver got, with the webhook.deliver entries committed when it read it. */
  let received: Array<{ body: string; entriesThen: AuditEntry[] }>;
  let hookId: string;

  beforeEach(async () => {
    auditFaults.reset();
    auditFaults.actions.add('webhook.deliver');
    t = await startTestParley({ env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });
    tenant = await makeTenant(t);
    received = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const entriesThen = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'webhook.deliver').execute();
        received.push({ body, entriesThen });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    hookId = newId('whk');
    await t.ctx.storage.db
      .insertInto('webhooks')
      .values({ id: hookId, tenant_id: tenant.id, url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, secret: newWebhookSecret(), events: JSON.stringify(['message.created']), created_at: Date.now(), disabled_at: null })
      .execute();
  });
  afterEach(async () => {
    auditFaults.reset();
    receiver.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  /** A visitor's message, queued for the hook (sealed, carrying the conversation and visitor). */
  async function queuedMessage() {
    const { visitorId } = await visitorSession(t, tenant);
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: 'w1', body: 'where is my parcel' });
    await vi.waitFor(async () => expect(await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().execute()).toHaveLength(1), { timeout: 5_000, interval: 20 });
    return { visitorId, conversationId: message.conversationId };
  }

  it('the entry naming the conversation and visitor is committed before the receiver reads the request', async () => {
    const { visitorId, conversationId } = await queuedMessage();
    await t.webhooks.tick();
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body).data.message.body).toBe('where is my parcel');
    expect(received[0]!.entriesThen.map((e) => ({ credential: e.credential, conversation: e.conversation_id, visitor: e.visitor_id }))).toEqual([{ credential: `webhook:${hookId}`, conversation: conversationId, visitor: visitorId }]);
  });

  it('an entry that cannot be written: nothing is sent, the delivery waits (not an attempt), and goes out once the audit is back', async () => {
    const { conversationId } = await queuedMessage();
    auditFaults.fail = true;
    await t.webhooks.tick();
    expect(received).toEqual([]);
    const row = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 0, last_error: AUDIT_UNAVAILABLE, locked_until: 0 });
    expect(row.next_attempt_at).toBeGreaterThan(Date.now());

    auditFaults.fail = false;
    await t.ctx.storage.db.updateTable('webhook_deliveries').set({ next_attempt_at: 0 }).execute();
    await t.webhooks.tick();
    expect(received).toHaveLength(1);
    expect(received[0]!.entriesThen.map((e) => e.conversation_id)).toEqual([conversationId]);
    expect(await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow()).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
