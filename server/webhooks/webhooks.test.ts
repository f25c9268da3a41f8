import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, type TestParley } from '../testing/testParley.js';
import { newId } from '../security/ids.js';
import { raiseIncident } from '../security/incidents.js';
import type { Tenant } from '../storage/schema.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from './signing.js';
import { enqueueWebhookEvent } from './webhookEvents.js';

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
    t = await startTestParley();
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
});
