/**
 * Metrics operators can alert on (issue 18): each series is actually recorded by real traffic,
 * `promtool check metrics` (Debian package `prometheus`) accepts the exposition, and METRICS_TOKEN
 * closes /metrics to anyone without it.
 */
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../../testing/testParley.js';

/** The value of one sample line (`name{labels} value`), or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const lines = text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));
  const line = lines.find((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('metrics', () => {
  let t: TestParley;
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('records commit and visitor→agent latency, request durations by route, socket closes, refusals; promtool accepts it', async () => {
    t = await startTestParley({ listen: true, env: { RATE_LIMITS: 'sessionsPerAddress=2' } });
    const tenant = await makeTenant(t);
    const agent = await makeAgent(t, tenant);
    const agentWs = await TestSocket.open(t, '/ws/agent', { cookie: (await login(t, agent)).cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    const { token } = await visitorSession(t, tenant);
    const visitor = await TestSocket.open(t, '/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'm1', body: 'hello' });
    await visitor.next('ack');
    await agentWs.next('message');
    visitor.ws.close(1000, 'bye');
    await visitor.closed;
    // Over the per-address session limit: refused with 429.
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: tenant.widget_key } });
    await t.app.inject({ method: 'GET', url: '/healthz' });
    // The close is counted when the server sees it.
    for (let i = 0; i < 50 && !(await t.app.inject({ method: 'GET', url: '/metrics' })).body.includes('parley_websocket_closes_total{kind="visitor"'); i++) await new Promise((r) => setTimeout(r, 20));

    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect((await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json().paths['/metrics'].get.security).toEqual([]);
    expect(sample(text, 'parley_message_commit_seconds_count', { author: 'visitor' })).toBe(1);
    expect(sample(text, 'parley_message_delivery_seconds_count')).toBe(1);
    expect(sample(text, 'parley_http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    expect(sample(text, 'parley_http_request_duration_seconds_count', { method: 'POST', route: '/api/widget/session', status: '429' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'parley_rate_limited_total', { channel: 'http' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'parley_websocket_closes_total', { kind: 'visitor', code: '1000' })).toBe(1);
    expect(sample(text, 'parley_websockets', { kind: 'agent' })).toBe(1);
    // Where the CPU goes, per thread, and SQLite's commits (storage/threadStats.ts): what bench/costs.mjs divides by messages.
    expect(text).toMatch(/^parley_thread_cpu_seconds_total\{thread="event_loop"\} [0-9.e-]+$/m);
    if (t.ctx.storage.dialect === 'sqlite') {
      expect(text).toMatch(/^parley_thread_cpu_seconds_total\{thread="sqlite_writer"\} /m);
      expect(sample(text, 'parley_sqlite_commits_total')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'parley_sqlite_write_units_total')).toBeGreaterThanOrEqual(1);
    }
    agentWs.close();

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error) throw new Error(`promtool is required for this test (Debian package "prometheus"): ${promtool.error.message}`);
    expect(`${promtool.stdout}${promtool.stderr}`.trim()).toBe('');
    expect(promtool.status).toBe(0);
  });

  it('counts storage errors by kind, WebSocket refusals by close code and frame-rate refusals', async () => {
    t = await startTestParley({ listen: true });
    const metrics = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const before = await metrics();
    // Every kind is a series from the start (alerts need it before the first failure).
    for (const kind of ['full', 'unavailable', 'constraint', 'other']) expect(before).toContain(`parley_storage_errors_total{kind="${kind}"} 0`);
    for (const outcome of ['delivered', 'retrying', 'failed', 'dropped']) expect(before).toContain(`parley_webhook_deliveries_total{outcome="${outcome}"} 0`);
    // Real failures of the storage layer: a query it cannot run, and a write a unique key refuses.
    const db = t.ctx.storage.db;
    await sql`select * from no_such_table`.execute(db).catch(() => {});
    const tenant = await makeTenant(t);
    await db.insertInto('tenants').values({ ...(await db.selectFrom('tenants').selectAll().where('id', '=', tenant.id).executeTakeFirstOrThrow()) }).execute().catch(() => {});
    // A socket from another origin is closed with 4003; a visitor flooding frames is refused (rate_limited).
    const foreign = await TestSocket.open(t, '/ws/visitor', { origin: 'https://evil.example' });
    expect((await foreign.closed).code).toBe(4003);
    const { token } = await visitorSession(t, tenant);
    const visitor = await TestSocket.open(t, '/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    for (let i = 0; i < 200; i++) visitor.send({ type: 'ping' });
    await visitor.next((f) => f.type === 'error' && f.code === 'rate_limited');
    visitor.close();
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await metrics();
      if (sample(text, 'parley_websocket_closes_total', { kind: 'visitor', code: '4003' }) === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sample(text, 'parley_storage_errors_total', { kind: 'other' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'parley_storage_errors_total', { kind: 'constraint' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'parley_storage_errors_total', { kind: 'full' })).toBe(0);
    expect(sample(text, 'parley_websocket_closes_total', { kind: 'visitor', code: '4003' })).toBe(1);
    expect(sample(text, 'parley_rate_limited_total', { channel: 'ws' })).toBeGreaterThanOrEqual(1);
  });

  it('asks for METRICS_TOKEN when it is set', async () => {
    const secret = 'metrics-token-0123456789';
    t = await startTestParley({ env: { METRICS_TOKEN: secret } });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    const ok = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${secret}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('parley_http_request_duration_seconds');
    // The OpenAPI document states it as this node enforces it (open on a node without a token: the first test's).
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    expect(spec.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }]);
    expect(spec.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
