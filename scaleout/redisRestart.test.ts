import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, clusterPerTest, requireServices, sleep, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';
import { drained, startLoad, verifyDelivery } from './checks.js';

const REDIS_START = ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'];

function redisUp(): boolean {
  try {
    return execFileSync('redis-cli', ['ping'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG';
  } catch {
    return false;
  }
}

function startRedis(): void {
  if (!redisUp()) execFileSync('redis-server', REDIS_START, { stdio: 'ignore' });
}

describe('fault: Redis restart under load', () => {
  const { clients, newCluster } = clusterPerTest();
  beforeAll(requireServices);
  afterAll(async () => {
    startRedis();
    await waitFor('redis back', redisUp, 10_000);
  });

  it('acks continue while Redis is down, nothing acknowledged is lost, live delivery recovers', async () => {
    const cluster = await newCluster('postgres');
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: true }), startNode(cluster, { name: 'B', redis: true })]);
    const { cookie } = await agentLogin(b, cluster.agent);
    const agent = new ProtoClient({ urls: () => [b.url, a.url], kind: 'agent', cookie });
    const visitors: ProtoClient[] = [];
    for (let i = 0; i < 10; i++) {
      const token = await visitorToken(a, cluster.tenant, `v${i}`);
      visitors.push(new ProtoClient({ urls: () => [a.url, b.url], kind: 'visitor', token }));
    }
    clients.push(agent, ...visitors);
    await waitFor('all ready', () => [agent, ...visitors].every((c) => c.isReady));
    const stop = startLoad(visitors, agent, 10);
    await sleep(1500);
    execFileSync('redis-cli', ['shutdown', 'nosave']);
    const downAt = visitors.reduce((n, v) => n + v.acked.size, 0);
    await sleep(2000);
    const duringOutage = visitors.reduce((n, v) => n + v.acked.size, 0) - downAt;
    startRedis();
    await waitFor('redis back', redisUp, 10_000);
    await sleep(2500);
    stop();
    await drained([agent, ...visitors]);
    await waitFor('everyone caught up', async () => {
      const n = Number((await cluster.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return agent.seen.size === n;
    }, 15_000);
    const result = await verifyDelivery(cluster.storage, cluster.tenant.id, [agent, ...visitors], [agent], visitors);
    expect(duringOutage, 'messages are still stored and acknowledged while Redis is down').toBeGreaterThan(20);
    expect(result.stored).toBe(result.sent);
    // Nodes asked their sockets to resume after the bus came back.
    expect(agent.closeCodes).toContain(4010);

    // Live delivery works again, across nodes.
    const probe = visitors[0]!.send('after the restart');
    await waitFor('live delivery after Redis restart', () => [...agent.seen.values()].some((m) => m.clientId === probe), 5000);
  });
});
