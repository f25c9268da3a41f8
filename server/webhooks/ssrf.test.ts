import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../testing/testParley.js';
import { newId } from '../security/ids.js';
import { enqueueWebhookEvent } from './webhookEvents.js';
import { newWebhookSecret } from './signing.js';
import { UNREACHABLE } from './receiverRequest.js';
import type { Tenant } from '../storage/schema.js';

/**
 * Server-side request forgery through webhooks: a tenant admin must not make Parley send requests
 * into the network it runs in, nor learn that network's shape from the delivery log. A receiver
 * listens on loopback (IPv4 and IPv6): by default nothing reaches it, however its address is
 * spelled, whether the hook was registered through the API or is already in the database (a hook
 * from before, or a name that changed what it resolves to), on first delivery and on replay.
 * Allow-listed (WEBHOOK_ALLOWED_NETWORKS), the same receiver gets its deliveries.
 */
describe('webhooks reach public addresses only', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;
  let receiver: Server;
  let hits: string[];
  let port: number;

  const start = async (env: Record<string, string> = {}) => {
    hits = [];
    receiver = createServer((req, res) => {
      hits.push(req.headers.host ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => receiver.listen(0, '::', () => r())); // dual stack: 127.0.0.1 and ::1
    port = (receiver.address() as { port: number }).port;
    t = await startTestParley({ env });
    tenant = await makeTenant(t);
    admin = await login(t, await makeAgent(t, tenant, 'admin'));
  };
  afterEach(async () => {
    receiver.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  const register = (url: string) => t.app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: admin.headers, payload: { url, events: ['message.created'] } });
  /** A hook written straight to the database: the connect-time check must stop it on its own. */
  const plant = async (url: string) => {
    const id = newId('whk');
    await t.ctx.storage.db.insertInto('webhooks').values({ id, tenant_id: tenant.id, url, secret: newWebhookSecret(), events: JSON.stringify(['message.created']), created_at: Date.now(), disabled_at: null }).execute();
    return id;
  };
  const deliveries = async (hookId: string) => (await t.app.inject({ method: 'GET', url: `/api/admin/webhooks/${hookId}/deliveries`, headers: admin.headers })).json().items as Array<Record<string, unknown>>;

  const loopbackSpellings = () => [
    `http://127.0.0.1:${port}/h`,
    `http://127.1:${port}/h`,
    `http://2130706433:${port}/h`,
    `http://0x7f000001:${port}/h`,
    `http://0177.0.0.1:${port}/h`,
    `http://[::1]:${port}/h`,
    `http://[::ffff:127.0.0.1]:${port}/h`,
    `http://localhost:${port}/h`,
    `http://LOCALHOST.:${port}/h`,
    `https://localhost:${port}/h`,
    `http://0.0.0.0:${port}/h`,
  ];

  it('refuses internal targets at registration with a clear error, storing nothing', async () => {
    await start();
    const internal = [
      ...loopbackSpellings(),
      'https://10.0.0.1/h',
      'https://172.16.5.4/h',
      'https://192.168.1.1/h',
      'https://100.64.0.1/h',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/h',
      'https://[fc00::1]/h',
      'https://[fe80::1]/h',
      'https://[ff02::1]/h',
      'https://224.0.0.1/h',
      'https://240.0.0.1/h',
      'https://[64:ff9b::a9fe:a9fe]/h',
      'https://[2002:a00:1::1]/h',
      'https://[::ffff:10.0.0.1]/h',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://metadata/h',
      'http://hooks.example.com/h',
    ];
    for (const url of internal) {
      const res = await register(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(/must be https to a public address.*WEBHOOK_ALLOWED_NETWORKS/);
    }
    expect(await t.ctx.storage.db.selectFrom('webhooks').selectAll().execute()).toEqual([]);
    // A public https receiver is accepted (whether or not its name resolves from here).
    expect((await register('https://hooks.example.com/parley')).statusCode).toBe(201);
  });

  it('never connects to a planted internal target, on delivery and on replay, and tells the tenant one thing', async () => {
    await start();
    const hooks = [];
    for (const url of [...loopbackSpellings(), `http://127.0.0.1:1/closed`, 'https://does-not-exist.invalid/h']) hooks.push({ url, id: await plant(url) });
    expect(await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm1' })).toBe(hooks.length);
    await t.webhooks.tick();
    expect(hits).toEqual([]);
    for (const hook of hooks) {
      const [d] = await deliveries(hook.id);
      // Listening, closed, unknown name or refused by policy: the same answer, no status, no cause.
      expect(d, hook.url).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: UNREACHABLE });
      const replay = await t.app.inject({ method: 'POST', url: `/api/admin/webhook-deliveries/${d!.id}/replay`, headers: admin.headers });
      expect(replay.statusCode).toBe(201);
    }
    await t.webhooks.tick();
    expect(hits).toEqual([]);
    const replayed = await t.ctx.storage.db.selectFrom('webhook_deliveries').select(['last_error', 'attempts']).where('attempts', '=', 1).execute();
    expect(replayed).toHaveLength(hooks.length * 2);
    expect(new Set(replayed.map((r) => r.last_error))).toEqual(new Set([UNREACHABLE]));
    // Nothing was sent, so nothing is in the access audit as delivered.
    expect(await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'webhook.deliver').execute()).toEqual([]);
  });

  it('delivers to an allow-listed internal receiver (http accepted there), and only to the listed networks', async () => {
    await start({ WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1' });
    const created = await register(`http://127.0.0.1:${port}/h`);
    expect(created.statusCode, created.body).toBe(201);
    const v6 = await plant(`http://[::1]:${port}/h`);
    const byName = await plant(`http://localhost:${port}/h`); // through the guarded lookup
    const outside = await plant(`https://10.0.0.1:${port}/h`);
    await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm1' });
    await t.webhooks.tick();
    expect(hits.sort()).toEqual([`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`].sort());
    expect((await deliveries(byName))[0]).toMatchObject({ status: 'delivered' });
    expect((await deliveries(created.json().webhook.id))[0]).toMatchObject({ status: 'delivered', lastStatus: 204 });
    expect((await deliveries(v6))[0]).toMatchObject({ status: 'delivered' });
    expect((await deliveries(outside))[0]).toMatchObject({ lastStatus: null, lastError: UNREACHABLE });
  });
});
