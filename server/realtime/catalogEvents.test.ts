/**
 * Label and macro edits reach open consoles live (issue 20): every agent socket of the tenant gets
 * a `label` / `macro` frame on create, change and delete — never another tenant's sockets. On SQLite
 * and PostgreSQL; on PostgreSQL also across two nodes over Redis (the scale-out path).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { cleanupTestParley, dialectUnderTest, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, type LoggedIn, type TestParley } from '../testing/testParley.js';
import type { Agent, Tenant } from '../storage/schema.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
type Method = 'POST' | 'PUT' | 'DELETE';
const catalogFrame = (f: Record<string, any>) => f.type === 'label' || f.type === 'macro';

async function agentSocket(t: TestParley, agent: Agent, sockets: TestSocket[]): Promise<TestSocket> {
  const ws = await TestSocket.open(t, '/ws/agent', { cookie: (await login(t, agent)).cookie });
  sockets.push(ws);
  ws.send({ type: 'hello' });
  await ws.next('ready');
  return ws;
}
const call = async (t: TestParley, who: LoggedIn, method: Method, url: string, payload?: object) => {
  const res = await t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.statusCode === 204 ? null : res.json();
};

describe('label and macro edits, live', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;
  const sockets: TestSocket[] = [];

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    admin = await login(t, await makeAgent(t, tenant, 'admin'));
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('every agent socket of the tenant gets each create, change and delete; another tenant’s gets none', async () => {
    const mine = await agentSocket(t, await makeAgent(t, tenant), sockets);
    const other = await makeTenant(t);
    const theirs = await agentSocket(t, await makeAgent(t, other), sockets);

    const label = await call(t, admin, 'POST', '/api/labels', { name: 'VIP' });
    expect(await mine.next('label')).toEqual({ type: 'label', id: label.id, label });
    const renamed = await call(t, admin, 'PUT', `/api/labels/${label.id}`, { name: 'Gold', color: '#d97706' });
    expect(await mine.next('label')).toEqual({ type: 'label', id: label.id, label: { id: label.id, name: 'Gold', color: '#d97706' } });
    expect(renamed.name).toBe('Gold');

    const body = { name: 'Refund done', actions: [{ type: 'label', labelId: label.id }, { type: 'status', status: 'resolved' }] };
    const macro = await call(t, admin, 'POST', '/api/macros', body);
    expect(await mine.next('macro')).toEqual({ type: 'macro', id: macro.id, macro });
    await call(t, admin, 'PUT', `/api/macros/${macro.id}`, { ...body, name: 'Refunded' });
    expect((await mine.next('macro')).macro).toMatchObject({ id: macro.id, name: 'Refunded' });
    await call(t, admin, 'DELETE', `/api/macros/${macro.id}`);
    expect(await mine.next('macro')).toEqual({ type: 'macro', id: macro.id, macro: null });
    await call(t, admin, 'DELETE', `/api/labels/${label.id}`);
    expect(await mine.next('label')).toEqual({ type: 'label', id: label.id, label: null });

    // The other tenant's own edit reaches its socket, after none of this tenant's (one node: the bus
    // delivers in order) — and not this tenant's socket.
    const otherAdmin = await login(t, await makeAgent(t, other, 'admin'));
    const own = await call(t, otherAdmin, 'POST', '/api/labels', { name: 'Theirs' });
    expect(await theirs.next(catalogFrame)).toEqual({ type: 'label', id: own.id, label: own });
    expect(theirs.frames.filter(catalogFrame)).toEqual([]);
    const marker = await call(t, admin, 'POST', '/api/labels', { name: 'Marker' });
    expect(await mine.next(catalogFrame)).toMatchObject({ id: marker.id });
    expect(mine.frames.filter(catalogFrame)).toEqual([]);
  });
});

describe.runIf(dialectUnderTest() === 'postgres')('label and macro edits across nodes (PostgreSQL + Redis)', () => {
  afterAll(dropSchemas);

  it('an edit made on one node reaches a console on the other', async () => {
    const a = await startTestParley({ listen: true, env: { REDIS_URL: REDIS } });
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(a.ctx.storage.db);
    const b = await startTestParley({ listen: true, env: { REDIS_URL: REDIS }, pgSchema: rows[0]!.schema });
    const sockets: TestSocket[] = [];
    try {
      const tenant = await makeTenant(a);
      const onB = await agentSocket(b, await makeAgent(a, tenant), sockets);
      const admin = await login(a, await makeAgent(a, tenant, 'admin'));
      const label = await call(a, admin, 'POST', '/api/labels', { name: 'Across' });
      expect(await onB.next('label', 10_000)).toEqual({ type: 'label', id: label.id, label });
      const macro = await call(a, admin, 'POST', '/api/macros', { name: 'Close', actions: [{ type: 'status', status: 'resolved' }] });
      expect(await onB.next('macro', 10_000)).toEqual({ type: 'macro', id: macro.id, macro });
    } finally {
      for (const s of sockets) s.close();
      await cleanupTestParley(b);
      await cleanupTestParley(a);
    }
  });
});
