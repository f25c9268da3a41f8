/**
 * Fault: Redis stops and starts under load. The nodes use a private Redis server (privateServices.ts),
 * so stopping it touches nothing else on the machine; PostgreSQL is the machine's (not stopped here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, clusterPerTest, requireServices, sleep, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';
import { drained, startLoad, verifyDelivery } from './checks.js';
import { startPrivateRedis, type PrivateRedis } from './privateServices.js';

describe('fault: Redis restart under load', () => {
  let redis: PrivateRedis;
  const { clients, newCluster } = clusterPerTest();
  beforeAll(async () => {
    await requireServices();
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  it('acks continue while Redis is down, nothing acknowledged is lost, live delivery recovers', async () => {
    const cluster = await newCluster('postgres');
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: redis.url }), startNode(cluster, { name: 'B', redis: redis.url })]);
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
    await redis.stop();
    const downAt = visitors.reduce((n, v) => n + v.acked.size, 0);
    await sleep(2000);
    const duringOutage = visitors.reduce((n, v) => n + v.acked.size, 0) - downAt;
    await redis.start();
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
