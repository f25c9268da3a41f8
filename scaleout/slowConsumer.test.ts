import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../protocol/limits.js';
import { CLOSE } from '../protocol/closeCodes.js';
import { agentLogin, clusterPerTest, memoryAfterGc, ORIGIN, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';

describe('fault: slow consumers', () => {
  const { clients, newCluster } = clusterPerTest();

  it('an agent socket that never reads is cut off at the buffer bound; memory stays bounded; others get everything', async () => {
    const cluster = await newCluster('sqlite');
    const node = await startNode(cluster, { name: 'S' });
    const { cookie, csrf } = await agentLogin(node, cluster.agent);
    // The slow consumer: says hello, then stops reading from its TCP socket.
    const slow = new WebSocket(node.url.replace('http', 'ws') + '/ws/agent', { headers: { origin: ORIGIN, cookie } });
    let slowReady = false;
    slow.on('message', (d) => {
      if (String(d).includes('"ready"')) {
        slowReady = true;
        (slow as unknown as { _socket: { pause(): void } })._socket.pause();
      }
    });
    slow.on('open', () => slow.send(JSON.stringify({ type: 'hello' })));
    let slowCloseCode: number | null = null;
    slow.on('close', (code) => (slowCloseCode = code));
    slow.on('error', () => {});
    const healthy = new ProtoClient({ urls: () => [node.url], kind: 'agent', cookie });
    clients.push(healthy);
    await waitFor('both agents ready', () => slowReady && healthy.isReady);

    const token = await visitorToken(node, cluster.tenant);
    const visitor = new ProtoClient({ urls: () => [node.url], kind: 'visitor', token });
    clients.push(visitor);
    await waitFor('visitor ready', () => visitor.isReady);
    visitor.send('start');
    await waitFor('conversation', () => visitor.conversationId !== null);
    const conversationId = visitor.conversationId!;

    // ~12 KB frames (4000 three-byte characters) posted over HTTP: 3,000 of them is ~36 MB of
    // events for each agent socket, far beyond LIMITS.maxBufferedBurstBytes (4 MB).
    const body = '€'.repeat(LIMITS.maxMessageChars);
    const total = 3000;
    let next = 0;
    const post = async () => {
      while (next < total) {
        const i = next++;
        const res = await fetch(`${node.url}/api/conversations/${conversationId}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf, origin: ORIGIN },
          body: JSON.stringify({ clientId: `big-${i}`, body }),
        });
        expect(res.status).toBe(201);
      }
    };
    const before = await memoryAfterGc(node);
    await Promise.all(Array.from({ length: 8 }, post));
    await waitFor('healthy agent received every message', () => healthy.seen.size === total + 1, 30_000);
    const after = await memoryAfterGc(node);
    const grown = after.total - before.total;
    console.log(`slow consumer: heap+external ${(before.total / 1e6).toFixed(1)} MB -> ${(after.total / 1e6).toFixed(1)} MB after ${((total * body.length * 3) / 1e6).toFixed(0)} MB of events`);

    expect(node.output()).toMatch(/slow consumer disconnected/);
    // Without the bound the node would hold ~36 MB more queued for the slow socket (measured with it:
    // 14.5 MB grown, most of it the node's own caches). With it, the
    // closing socket keeps at most its bounded buffer (plus the close frame) until it closes.
    expect(grown, `memory after GC grew by ${(grown / 1e6).toFixed(1)} MB`).toBeLessThan(16 * 1024 * 1024 + LIMITS.maxBufferedBurstBytes);
    // The slow socket is gone on the server; once it reads again, the client sees the documented code.
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitFor('slow socket closed', () => slow.readyState === WebSocket.CLOSED, 10_000);
    expect(slowCloseCode, 'close code seen by the slow client').toBe(CLOSE.SLOW_CONSUMER);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/parley_websockets\{kind="agent"\} 1\b/);
  });
});
