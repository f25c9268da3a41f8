import { beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, clusterPerTest, requireServices, sleep, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';
import { drained, startLoad, verifyDelivery } from './checks.js';

describe('fault: kill -9 a node under load', () => {
  const { clients, newCluster } = clusterPerTest();
  beforeAll(requireServices);

  it('clients move to the surviving node and resume: zero acknowledged messages lost, zero duplicates', async () => {
    const cluster = await newCluster('postgres');
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: true }), startNode(cluster, { name: 'B', redis: true })]);
    let aAlive = true;
    const { cookie } = await agentLogin(b, cluster.agent);
    // The agent sits on B; half the visitors on A (they will lose their node), half on B.
    const agent = new ProtoClient({ urls: () => [b.url], kind: 'agent', cookie });
    const visitors: ProtoClient[] = [];
    for (let i = 0; i < 16; i++) {
      const token = await visitorToken(a, cluster.tenant, `v${i}`);
      const home = i % 2 === 0 ? 'A' : 'B';
      visitors.push(new ProtoClient({ urls: () => (home === 'A' && aAlive ? [a.url] : [b.url]), kind: 'visitor', token }));
    }
    clients.push(agent, ...visitors);
    await waitFor('all ready', () => [agent, ...visitors].every((c) => c.isReady));
    const stop = startLoad(visitors, agent, 10);
    await sleep(2500);
    const ackedBefore = visitors.reduce((n, v) => n + v.acked.size, 0);
    // A burst on A, then kill -9 while those sends are being committed and acknowledged.
    visitors.forEach((v, i) => i % 2 === 0 && [1, 2, 3].forEach((k) => v.send(`burst ${k}`)));
    const inFlight = visitors.reduce((n, v) => n + v.outbox.size, 0);
    aAlive = false;
    await a.kill('SIGKILL');
    await sleep(2500);
    stop();
    await drained([agent, ...visitors]);
    await waitFor('agent and visitors caught up', async () => {
      const n = Number((await cluster.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return agent.seen.size === n;
    }, 15_000);
    const result = await verifyDelivery(cluster.storage, cluster.tenant.id, [agent, ...visitors], [agent], visitors);
    const moved = visitors.filter((_, i) => i % 2 === 0);
    expect(moved.every((v) => v.readyCount >= 2), 'visitors of A reconnected to B').toBe(true);
    expect(ackedBefore).toBeGreaterThan(100);
    expect(inFlight).toBeGreaterThan(0);
    expect(result.stored).toBe(result.sent);
    console.log(`kill -9: ${result.sent} sent, ${result.stored} stored, ${ackedBefore} acked before the kill, ${inFlight} in flight at the kill`);
  });
});
