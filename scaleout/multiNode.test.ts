import { beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, clusterPerTest, requireServices, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';
import { drained, startLoad, verifyDelivery } from './checks.js';

describe('scale-out: two nodes on PostgreSQL + Redis', () => {
  const { clients, newCluster } = clusterPerTest();
  beforeAll(requireServices);

  it('a visitor on node A and an agent on node B chat in real time, no sticky sessions', async () => {
    const cluster = await newCluster('postgres');
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: true }), startNode(cluster, { name: 'B', redis: true })]);
    // Session created on B, socket on A; login on A, socket on B: nothing is node-local.
    const token = await visitorToken(b, cluster.tenant, 'Ada');
    const { cookie } = await agentLogin(a, cluster.agent);
    const visitor = new ProtoClient({ urls: () => [a.url], kind: 'visitor', token });
    const agent = new ProtoClient({ urls: () => [b.url], kind: 'agent', cookie });
    clients.push(visitor, agent);
    await waitFor('both ready', () => visitor.isReady && agent.isReady);

    const t0 = Date.now();
    const first = visitor.send('hello from node A');
    await waitFor('agent on B sees the visitor message', () => [...agent.seen.values()].some((m) => m.clientId === first));
    const live = Date.now() - t0;
    // The ack is sent after commit and publish on A; B may deliver to the agent before it arrives.
    await waitFor('visitor on A has its ack', () => visitor.acked.has(first));
    const conversationId = visitor.acked.get(first)!.conversationId;
    const reply = agent.send('hello from node B', conversationId);
    await waitFor('visitor on A sees the reply', () => [...visitor.seen.values()].some((m) => m.clientId === reply));
    expect(live).toBeLessThan(2000);

    // The agent's inbox over HTTP on node A shows the conversation written through both nodes.
    const res = await fetch(`${a.url}/api/conversations/${conversationId}/messages`, { headers: { cookie } });
    expect(((await res.json()) as { items: Array<{ body: string }> }).items.map((m) => m.body)).toEqual(['hello from node A', 'hello from node B']);
  });

  it('a name given on node B is in the visitor’s next message on node A, which had the old one cached', async () => {
    const cluster = await newCluster('postgres');
    const [a, b] = await Promise.all([startNode(cluster, { name: 'A', redis: true }), startNode(cluster, { name: 'B', redis: true })]);
    const token = await visitorToken(a, cluster.tenant, 'Ada');
    const visitor = new ProtoClient({ urls: () => [a.url], kind: 'visitor', token });
    clients.push(visitor);
    await waitFor('ready', () => visitor.isReady);
    const nameIn = async (body: string) => {
      const id = visitor.send(body);
      await waitFor('ack', () => visitor.acked.has(id));
      return visitor.acked.get(id)!.author.name;
    };
    expect(await nameIn('first')).toBe('Ada');
    expect(await nameIn('second')).toBe('Ada'); // node A now answers the name from memory
    // The same visitor gives another name through node B (same token, as the widget does).
    const res = await fetch(`${b.url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: cluster.tenant.widget_key, token, name: 'Grace' }) });
    expect(res.status).toBe(200);
    // B tells A through Redis (milliseconds; without the event A would keep 'Ada' for five minutes).
    let n = 0;
    await waitFor('a message written on A with the new name', async () => (await nameIn(`after-${++n}`)) === 'Grace', 10_000, 100);
  });

  it('many visitors spread over both nodes, one agent: every message delivered once, in order', async () => {
    const cluster = await newCluster('postgres');
    const nodes = await Promise.all([startNode(cluster, { name: 'A', redis: true }), startNode(cluster, { name: 'B', redis: true })]);
    const { cookie } = await agentLogin(nodes[0], cluster.agent);
    const agent = new ProtoClient({ urls: () => [nodes[1].url], kind: 'agent', cookie });
    const visitors: ProtoClient[] = [];
    for (let i = 0; i < 10; i++) {
      const token = await visitorToken(nodes[i % 2]!, cluster.tenant, `v${i}`);
      visitors.push(new ProtoClient({ urls: () => [nodes[i % 2]!.url], kind: 'visitor', token }));
    }
    clients.push(agent, ...visitors);
    await waitFor('all ready', () => [agent, ...visitors].every((c) => c.isReady));
    const stop = startLoad(visitors, agent, 10);
    await new Promise((r) => setTimeout(r, 3000));
    stop();
    await drained([agent, ...visitors]);
    await waitFor('agent saw everything', async () => {
      const n = await cluster.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return agent.seen.size === Number(n.n);
    });
    const result = await verifyDelivery(cluster.storage, cluster.tenant.id, [agent, ...visitors], [agent], visitors);
    expect(result.stored).toBeGreaterThan(200);
    expect(result.stored).toBe(result.sent);
  });
});
