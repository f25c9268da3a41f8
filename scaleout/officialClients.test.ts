/**
 * The official clients' code — the widget's ChatClient over the browsers' ReconnectingSocket, as the
 * frame runs it — against real nodes, through faults (issue 17, items 4 and 5). Node 20 has no
 * global WebSocket: `ws` stands in for the browser's, with the Origin a browser would send.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type KeyValue } from '../widget/frame/src/chat.js';
import { ReconnectingSocket } from '../clients/js/src/reconnectingSocket.js';
import type { VisitorServerFrame } from '../protocol/realtime.js';
import { openStorage } from '../server/storage/db.js';
import { agentLogin, clusterPerTest, ORIGIN, sleep, startNode, waitFor, type Cluster, type NodeProcess } from './harness.js';
import { startPrivatePostgres, type PrivatePostgres } from './privateServices.js';

class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string) {
    super(url, { headers: { origin: ORIGIN } });
    this.on('error', () => {}); // a browser reports it through onclose; ws would throw it
  }
}

function memoryStorage(): KeyValue {
  const data = new Map<string, string>();
  return { get: (k) => data.get(k) ?? null, set: (k, v) => void data.set(k, v), remove: (k) => void data.delete(k) };
}

/** The widget's chat client, pointed at `node()` (read at every (re)connect and request). */
function widgetClient(cluster: Cluster, node: () => NodeProcess): ChatClient {
  return new ChatClient({
    key: cluster.tenant.widget_key,
    wsUrl: '',
    page: 'https://shop.example/checkout',
    storage: memoryStorage(),
    fetch: ((path: string, init?: RequestInit) => fetch(node().url + path, init)) as typeof fetch,
    socket: (opts) => new ReconnectingSocket<VisitorServerFrame>({ ...opts, url: node().url.replace('http', 'ws') + '/ws/visitor' }),
  });
}

describe('official clients through faults', () => {
  let postgres: PrivatePostgres;
  const chats: ChatClient[] = [];
  const { newCluster } = clusterPerTest(async () => {
    for (const c of chats.splice(0)) c.dispose();
    if (!(await postgres.isUp())) await postgres.start();
  });
  beforeAll(async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;
    postgres = await startPrivatePostgres();
  }, 90_000);
  afterAll(() => {
    postgres?.destroy();
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
  });

  it('the widget keeps the visitor’s order through a PostgreSQL outage: refused sends are retried before later ones, none is lost or shown failed', async () => {
    const cluster = await newCluster('postgres', { databaseUrl: postgres.url });
    const node = await startNode(cluster, { name: 'W' });
    const chat = widgetClient(cluster, () => node);
    chats.push(chat);
    expect(await chat.start({ name: 'Ada' })).toBe(true);
    await waitFor('widget connected', () => chat.getState().connection === 'open');

    const bodies: string[] = [];
    const typeOne = () => {
      const body = `message ${bodies.length + 1}`;
      expect(chat.send(body)).toMatchObject({ ok: true });
      bodies.push(body);
    };
    for (let i = 0; i < 10; i++, await sleep(100)) typeOne();
    postgres.stop();
    for (let i = 0; i < 20; i++, await sleep(100)) typeOne(); // typed during the outage
    await postgres.start();
    for (let i = 0; i < 10; i++, await sleep(100)) typeOne();

    await waitFor('every message acknowledged', () => chat.getState().outbox.length === 0, 60_000, 100).catch((err) => {
      const st = chat.getState();
      throw new Error(`${(err as Error).message}: connection ${st.connection}, outbox ${JSON.stringify(st.outbox.slice(0, 3))} (${st.outbox.length}), ${st.messages.length} messages\n${node.output().slice(-2000)}`);
    });
    expect(chat.getState().outbox.filter((o) => o.state === 'failed')).toEqual([]);
    await cluster.storage.close();
    cluster.storage = await openStorage({ databaseUrl: postgres.url, dataDir: cluster.dataDir, pgSchema: cluster.schema! });
    const conversationId = chat.getState().conversation?.id ?? chat.getState().messages[0]!.conversationId;
    const stored = chat.getState().messages.filter((m) => m.conversationId === conversationId && m.author.kind === 'visitor');
    // What the widget shows, in seq order, is what the visitor typed, in the order typed.
    expect(stored.map((m) => m.body)).toEqual(bodies);
    const rows = await cluster.storage.db.selectFrom('messages').select(['seq', 'client_id', 'author_kind']).where('conversation_id', '=', conversationId).where('author_kind', '=', 'visitor').orderBy('seq').execute();
    expect(rows.map((r) => r.client_id)).toEqual(stored.map((m) => m.clientId));
  });

  it('the widget resuming far behind shows every missed message, with no hole', async () => {
    const cluster = await newCluster('postgres', { databaseUrl: postgres.url });
    let a = await startNode(cluster, { name: 'A' });
    const b = await startNode(cluster, { name: 'B' });
    const chat = widgetClient(cluster, () => a);
    chats.push(chat);
    await chat.start({ name: 'Ada' });
    await waitFor('widget connected', () => chat.getState().connection === 'open');
    chat.send('hello');
    await waitFor('conversation', () => chat.getState().outbox.length === 0 && chat.getState().messages.length === 1);
    const conversationId = chat.getState().messages[0]!.conversationId;

    // The widget’s node goes away; 260 replies (more than a page) and notes are written through another node meanwhile.
    const port = a.port;
    await a.kill();
    const { cookie, csrf } = await agentLogin(b, cluster.agent);
    for (let i = 0; i < 260; i++) {
      const res = await fetch(`${b.url}/api/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf, origin: ORIGIN },
        body: JSON.stringify({ clientId: `r${i}`, body: `reply ${i}`, internal: i % 40 === 3 }),
      });
      expect(res.status).toBe(201);
    }
    a = await startNode(cluster, { name: 'A', port });
    const rows = await cluster.storage.db.selectFrom('messages').select('seq').where('conversation_id', '=', conversationId).where('internal', '=', 0).orderBy('seq').execute();
    await waitFor('widget caught up', () => chat.getState().messages.length === rows.length, 30_000, 100);
    expect(chat.getState().messages.map((m) => m.seq)).toEqual(rows.map((r) => Number(r.seq)));
  });
});
