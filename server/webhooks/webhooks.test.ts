import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { countingQueries } from '../testing/countingQueries.js';
import { newId } from '../security/ids.js';
import { raiseIncident } from '../security/incidents.js';
import type { Tenant } from '../storage/schema.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from './signing.js';
import { enqueueWebhookEvent, noHookWants } from './webhookEvents.js';
import { createMessage } from '../commands/messageCreator.js';
import { createWebhook } from '../commands/webhookCreator.js';
import { disableWebhook } from '../commands/webhookDisabler.js';
import { SYSTEM_ACTOR } from '../security/auditLog.js';

interface Received { headers: IncomingMessage['headers']; body: string }

describe('webhooks', () => {
  let t: TestParley;
  let tenant: Tenant;
  let receiver: Server;
  let received: Received[];
  let answer: number;
  let url: string;
  const secret = newWebhookSecret();

  beforeEach(async () => {
    // The receiver is on loopback: allow-listed (the default refuses it: ssrf.test.ts).
    t = await startTestParley({ env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });
    tenant = await makeTenant(t);
    received = [];
    answer = 200;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const addr = receiver.address() as { port: number };
    url = `http://127.0.0.1:${addr.port}/hook`;
    await t.ctx.storage.db
      .insertInto('webhooks')
      .values({ id: newId('whk'), tenant_id: tenant.id, url, secret, events: JSON.stringify(['security.incident', 'message.created']), created_at: Date.now(), disabled_at: null })
      .execute();
  });
  afterEach(async () => {
    receiver.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('signs per Standard Webhooks (known vector)', () => {
    // Vector from the Standard Webhooks reference implementation.
    const sig = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('delivers a signed event, and only events the hook subscribed to', async () => {
    expect(await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm1' })).toBe(1);
    expect(await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'conversation.updated', { id: 'c1' })).toBe(0);
    await t.webhooks.tick();
    expect(received).toHaveLength(1);
    expect(verifyWebhook(secret, received[0]!.headers, received[0]!.body)).toBe(true);
    expect(verifyWebhook(newWebhookSecret(), received[0]!.headers, received[0]!.body)).toBe(false);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'message.created', data: { id: 'm1' } });
    const row = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200 });
  });

  it('retries with backoff when the receiver fails, recording each attempt', async () => {
    answer = 500;
    await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm2' });
    await t.webhooks.tick();
    let row = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status: 500, last_error: 'receiver answered 500' });
    expect(row.next_attempt_at - Date.now()).toBeGreaterThan(5_000);
    await t.webhooks.tick(); // not due yet: nothing sent
    expect(received).toHaveLength(1);
    answer = 204;
    await t.ctx.storage.db.updateTable('webhook_deliveries').set({ next_attempt_at: 0 }).execute();
    await t.webhooks.tick();
    row = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, last_status: 204 });
    expect(received[1]!.headers['webhook-id']).toBe(received[0]!.headers['webhook-id']);
    // Operators see the outcomes (parley_webhook_deliveries_total{outcome}).
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^parley_webhook_deliveries_total\{outcome="retrying"\} 1$/m);
    expect(metrics).toMatch(/^parley_webhook_deliveries_total\{outcome="delivered"\} 1$/m);
  });

  it('gives a replay a new webhook-id (automatic retries keep theirs), the same payload and a fresh signature', async () => {
    await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm3' });
    await t.webhooks.tick();
    const original = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    const { replayDelivery } = await import('../commands/webhookDeliveryReplayer.js');
    await replayDelivery(t.ctx, tenant.id, original.id, SYSTEM_ACTOR('test'));
    await t.webhooks.tick();
    expect(received).toHaveLength(2);
    expect(received[1]!.headers['webhook-id']).not.toBe(received[0]!.headers['webhook-id']);
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(verifyWebhook(secret, received[1]!.headers, received[1]!.body)).toBe(true);
  });

  it('stores message events sealed under the tenant key and delivers them readable', async () => {
    const { createMessage } = await import('../commands/messageCreator.js');
    const { visitorSession } = await import('../testing/testParley.js');
    const { isSealed } = await import('../security/keyring.js');
    const { visitorId } = await visitorSession(t, tenant);
    await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: 'w1', body: 'my parcel to Zanzibar-77' });
    // The forwarder queues after publishing: wait for it (a deadline, not a fixed pause that a loaded machine outlasts).
    const rows = await vi.waitFor(
      async () => {
        const found = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().where('event_type', '=', 'message.created').execute();
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(isSealed(rows[0]!.payload)).toBe(true);
    // The hook did not subscribe to conversation events; one that did gets conversation.created once.
    expect(await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().where('event_type', 'like', 'conversation.%').execute()).toEqual([]);
    expect(rows[0]!.payload).not.toContain('Zanzibar');
    await t.webhooks.tick();
    const delivered = received.find((r) => JSON.parse(r.body).type === 'message.created')!;
    expect(JSON.parse(delivered.body).data.message.body).toBe('my parcel to Zanzibar-77');
    expect(verifyWebhook(secret, delivered.headers, delivered.body)).toBe(true);
  });

  it('sends conversation.created once for a new conversation, then conversation.updated', async () => {
    const { createMessage } = await import('../commands/messageCreator.js');
    const { visitorSession } = await import('../testing/testParley.js');
    await t.ctx.storage.db
      .insertInto('webhooks')
      .values({ id: newId('whk'), tenant_id: tenant.id, url, secret, events: JSON.stringify(['conversation.created', 'conversation.updated']), created_at: Date.now(), disabled_at: null })
      .execute();
    const { visitorId } = await visitorSession(t, tenant);
    const actor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId };
    const { message } = await createMessage(t.ctx, actor, { clientId: 'c1', body: 'first' });
    await createMessage(t.ctx, actor, { clientId: 'c2', body: 'second' });
    await t.ctx.storage.db.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', message.conversationId).execute();
    await createMessage(t.ctx, actor, { clientId: 'c3', body: 'reopens it' });
    // Queued within the same millisecond at times, so compare as a sorted list rather than by time.
    const conversationEvents = async () =>
      (await t.ctx.storage.db.selectFrom('webhook_deliveries').select(['event_type']).where('event_type', 'like', 'conversation.%').execute()).map((r) => r.event_type).sort();
    await vi.waitFor(async () => expect((await conversationEvents()).length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 50)); // a third, wrong event would be queued by now too
    expect(await conversationEvents()).toEqual(['conversation.created', 'conversation.updated']);
  });

  it('raises an incident once per fingerprint and sends it to webhooks and the audit log', async () => {
    const first = await raiseIncident(t.ctx, { tenantId: null, kind: 'release.tamper', severity: 'critical', summary: 'loader.js changed on disk', details: { path: 'widget/loader.js' }, fingerprint: 'tamper:widget/loader.js' });
    const again = await raiseIncident(t.ctx, { tenantId: null, kind: 'release.tamper', severity: 'critical', summary: 'loader.js changed on disk', details: { path: 'widget/loader.js' }, fingerprint: 'tamper:widget/loader.js' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ incident: first.incident, created: false });
    await t.webhooks.tick();
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(['security.incident']);
    const audit = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'incident.raised').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.resource_id).toBe(first.incident.id);
  });

  it('keeps a tenant’s hook list for message events only until this node changes it', async () => {
    const other = await makeTenant(t);
    const admin = SYSTEM_ACTOR('test');
    // Nothing subscribed yet: the (empty) list is now remembered for this tenant.
    expect(await enqueueWebhookEvent(t.ctx.storage.db, other.id, 'message.created', { id: 'm1' })).toBe(0);
    const { webhook } = await createWebhook(t.ctx, other.id, { url, events: ['message.created'] }, admin);
    expect(await enqueueWebhookEvent(t.ctx.storage.db, other.id, 'message.created', { id: 'm2' })).toBe(1);
    await disableWebhook(t.ctx, other.id, webhook.id, admin);
    expect(await enqueueWebhookEvent(t.ctx.storage.db, other.id, 'message.created', { id: 'm3' })).toBe(0);
    // Security notifications read the list every time, so a hook added behind the cache still gets them.
    await t.ctx.storage.db
      .insertInto('webhooks')
      .values({ id: newId('whk'), tenant_id: other.id, url, secret, events: JSON.stringify(['*']), created_at: Date.now(), disabled_at: null })
      .execute();
    expect(await enqueueWebhookEvent(t.ctx.storage.db, other.id, 'security.incident', { id: 'i1' })).toBe(1);
  });

  it('reads a tenant’s hook list once for events that arrive together, and not past a change made meanwhile', async () => {
    const other = await makeTenant(t);
    const admin = SYSTEM_ACTOR('test');
    await createWebhook(t.ctx, other.id, { url, events: ['message.created'] }, admin);
    const reads = countingQueries(t.ctx.storage.db, 'from "webhooks"');
    const together = Array.from({ length: 5 }, (_, i) => enqueueWebhookEvent(reads.db, other.id, 'message.created', { id: `m${i}` }));
    // A hook created while that read is in flight: the next event must not be answered by the read.
    await createWebhook(t.ctx, other.id, { url, events: ['*'] }, admin);
    expect(await Promise.all(together)).toEqual([1, 1, 1, 1, 1]);
    expect(reads.count()).toBe(1);
    expect(await enqueueWebhookEvent(reads.db, other.id, 'message.created', { id: 'm5' })).toBe(2);
  });

  it('passes over a message no hook wants from memory, and queues the next one once a hook is created', async () => {
    const other = await makeTenant(t);
    const visitor = await visitorSession(t, other);
    const send = (clientId: string) => createMessage(t.ctx, { kind: 'visitor', tenantId: other.id, visitorId: visitor.visitorId }, { clientId, body: 'hello' });
    const deliveries = () => t.ctx.storage.db.selectFrom('webhook_deliveries').select('id').where('tenant_id', '=', other.id).execute();
    expect(noHookWants(other.id, 'message.created')).toBe(false); // never read: not known
    await send('a');
    await vi.waitFor(() => expect(noHookWants(other.id, 'message.created')).toBe(true));
    // This tenant's hook wants message.created only.
    await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm1' });
    expect([noHookWants(tenant.id, 'message.created'), noHookWants(tenant.id, 'conversation.updated')]).toEqual([false, true]);
    await createWebhook(t.ctx, other.id, { url, events: ['message.created'] }, SYSTEM_ACTOR('test'));
    expect(noHookWants(other.id, 'message.created')).toBe(false);
    await send('b');
    await vi.waitFor(async () => expect(await deliveries()).toHaveLength(1));
  });
});
