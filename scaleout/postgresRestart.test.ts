/**
 * Fault: PostgreSQL stops and starts under load (issue 17, items 1 and 2). The nodes run on a private
 * PostgreSQL server (privateServices.ts), so stopping it touches nothing else on the machine, and
 * this file no longer has to run after every other test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../server/storage/db.js';
import { agentLogin, clusterPerTest, sleep, startNode, visitorToken, waitFor, type NodeProcess } from './harness.js';
import { ProtoClient } from './protoClient.js';
import { drained, startLoad, verifyDelivery } from './checks.js';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './privateServices.js';

const OUTAGES = 5;
/** What a node prints when an 'error' event or a rejection had nobody to handle it. */
const CRASH_SIGNS = /Unhandled 'error' event|unhandled promise rejection|Uncaught|ERR_UNHANDLED/i;

async function health(node: NodeProcess): Promise<{ status: number; body: { status?: string; reason?: string } } | null> {
  try {
    const res = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: (await res.json()) as { status?: string; reason?: string } };
  } catch {
    return null; // not listening (yet)
  }
}

describe('fault: PostgreSQL stops and starts', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  const { clients, newCluster } = clusterPerTest(async () => {
    if (!(await postgres.isUp())) await postgres.start();
  });
  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  }, 90_000);
  afterAll(async () => {
    postgres?.destroy();
    await redis?.destroy();
  });

  it(`two nodes under load through ${OUTAGES} stops and starts: no node exits, sends during outages get \`unavailable\`, nothing acknowledged is lost`, async () => {
    const cluster = await newCluster('postgres', { databaseUrl: postgres.url });
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: redis.url }), startNode(cluster, { name: 'B', redis: redis.url })]);
    const { cookie } = await agentLogin(b, cluster.agent);
    const agent = new ProtoClient({ urls: () => [b.url, a.url], kind: 'agent', cookie, retryMs: 500 });
    const visitors: ProtoClient[] = [];
    for (let i = 0; i < 8; i++) {
      const token = await visitorToken(a, cluster.tenant, `v${i}`);
      visitors.push(new ProtoClient({ urls: () => [a.url, b.url], kind: 'visitor', token, retryMs: 500 }));
    }
    clients.push(agent, ...visitors);
    await waitFor('all ready', () => [agent, ...visitors].every((c) => c.isReady));
    const stop = startLoad(visitors, agent, 10);
    await sleep(1500);
    await cluster.storage.close(); // the test's own pool would only log errors meanwhile

    for (let outage = 1; outage <= OUTAGES; outage++) {
      postgres.stop(); // -m fast: every backend is terminated (57P01), checked-out clients included
      await sleep(2000);
      const during = await health(a);
      expect(during?.status, `outage ${outage}: /healthz while PostgreSQL is down`).toBe(503);
      expect(during?.body.reason).toBe('database_unavailable');
      expect([a.proc.exitCode, b.proc.exitCode], `outage ${outage}: no node exited`).toEqual([null, null]);
      await postgres.start();
      await sleep(1500);
    }

    stop();
    await drained([agent, ...visitors], 30_000);
    expect((await health(a))?.status).toBe(200);
    expect((await health(b))?.status).toBe(200);
    const errors = [agent, ...visitors].flatMap((c) => c.errors);
    expect(errors.filter((e) => e.code === 'unavailable' && e.clientId).length, 'sends during the outages get `unavailable`').toBeGreaterThan(0);
    expect(errors.filter((e) => e.code === 'internal'), 'no internal errors').toEqual([]);
    cluster.storage = await openStorage({ databaseUrl: postgres.url, dataDir: cluster.dataDir, pgSchema: cluster.schema! });
    await waitFor('everyone caught up', async () => {
      const n = Number((await cluster.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return agent.seen.size === n;
    }, 15_000);
    const result = await verifyDelivery(cluster.storage, cluster.tenant.id, [agent, ...visitors], [agent], visitors);
    expect(result.stored).toBe(result.sent);
    expect([a.proc.exitCode, b.proc.exitCode], 'both nodes still running').toEqual([null, null]);
    expect(a.output() + b.output()).not.toMatch(CRASH_SIGNS);
    console.log(`PostgreSQL ${OUTAGES}× stop/start: ${result.sent} sent, ${result.stored} stored, ${errors.filter((e) => e.code === 'unavailable').length} unavailable errors, 0 crashes`);
  });

  it('a node started while PostgreSQL is down answers 503 "starting", retries, and is ready once PostgreSQL is up', async () => {
    const cluster = await newCluster('postgres', { databaseUrl: postgres.url });
    await cluster.storage.close();
    postgres.stop();

    // Bounded: with a short limit the node gives up and says why.
    const impatient = await startNode(cluster, { name: 'impatient', waitUntil: 'spawned', env: { DATABASE_WAIT_SECONDS: '1', LOG_LEVEL: 'info' } });
    expect(await impatient.exited).toBe(1);
    expect(impatient.output()).toMatch(/database not reachable at boot; retrying/);
    expect(impatient.output()).toMatch(/ECONNREFUSED/);

    const node = await startNode(cluster, { name: 'late', waitUntil: 'spawned', env: { DATABASE_WAIT_SECONDS: '120' } });
    await waitFor('node answers /healthz', async () => (await health(node)) !== null, 30_000, 100);
    expect(await health(node)).toEqual({ status: 503, body: expect.objectContaining({ status: 'starting', reason: 'database_unavailable' }) });
    const api = await fetch(`${node.url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    await sleep(3000);
    expect(node.proc.exitCode, 'still waiting, not exited').toBeNull();
    expect(node.output()).toMatch(/database not reachable at boot; retrying/);

    await postgres.start();
    await waitFor('node ready', async () => (await health(node))?.status === 200, 30_000, 200);
    // Ready means working: a visitor can start a chat and send a message.
    const token = await visitorToken(node, cluster.tenant);
    const visitor = new ProtoClient({ urls: () => [node.url], kind: 'visitor', token });
    clients.push(visitor);
    await waitFor('visitor ready', () => visitor.isReady);
    const sent = visitor.send('hello after the database came up');
    await waitFor('acked', () => visitor.acked.has(sent));
    expect(node.output()).not.toMatch(CRASH_SIGNS);
  });
});
