/**
 * The scaleout project runs after every other project (groupOrder), one file at a time: this file stops
 * the machine's PostgreSQL, which every other
 * PostgreSQL test uses. PostgreSQL is started again whatever happens (afterAll).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, clusterPerTest, DATABASE_URL, requireServices, sleep, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';
import { drained, startLoad, verifyDelivery } from './checks.js';

const version = () => readdirSync('/etc/postgresql')[0]!;
const pgctl = (action: 'start' | 'stop' | 'restart') =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version(), 'main', action], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

async function pgUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

describe('fault: PostgreSQL restart under load', () => {
  const { clients, newCluster } = clusterPerTest(async () => {
    if (!(await pgUp())) pgctl('start');
  });
  beforeAll(requireServices);
  afterAll(async () => {
    if (!(await pgUp())) pgctl('start');
    await waitFor('PostgreSQL up', pgUp, 30_000, 200);
  });

  it('sends during the outage get an `unavailable` error, the nodes recover by themselves, nothing acknowledged is lost', async () => {
    const cluster = await newCluster('postgres');
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: true }), startNode(cluster, { name: 'B', redis: true })]);
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

    pgctl('stop');
    await sleep(2500);
    const health = await fetch(`${a.url}/healthz`);
    expect(health.status).toBe(503);
    const errors = [agent, ...visitors].flatMap((c) => c.errors);
    expect(errors.filter((e) => e.code === 'unavailable' && e.clientId).length, 'sends during the outage get `unavailable`').toBeGreaterThan(0);
    expect(errors.filter((e) => e.code === 'internal'), 'no internal errors').toEqual([]);
    pgctl('start');
    await waitFor('PostgreSQL up', pgUp, 30_000, 200);

    await sleep(2000);
    stop();
    await drained([agent, ...visitors], 30_000);
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
    const storage = (await import('../server/storage/db.js')).openStorage;
    cluster.storage = await storage({ databaseUrl: DATABASE_URL, dataDir: cluster.dataDir, pgSchema: cluster.schema! });
    await waitFor('everyone caught up', async () => {
      const n = Number((await cluster.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return agent.seen.size === n;
    }, 15_000);
    const result = await verifyDelivery(cluster.storage, cluster.tenant.id, [agent, ...visitors], [agent], visitors);
    expect(result.stored).toBe(result.sent);
    console.log(`PostgreSQL restart: ${result.sent} sent, ${result.stored} stored, ${errors.filter((e) => e.code === 'unavailable').length} unavailable errors during the outage`);
  });
});
