/**
 * The reference client against a live node (issue 18): the generated types match what the server
 * documents today and type-check a program (and reject a wrong one); the REST client answers typed
 * bodies and typed errors; the socket client acks, retries and resumes as docs/API-CONTRACT.md says.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../../../server/testing/testParley.js';
import type { Agent, Tenant } from '../../../server/storage/schema.js';
import { CLIENT_TYPES_FILE, clientTypes } from '../../../scripts/clientTypes.js';
import { ParleyApiError, ParleyRestClient, ParleySocket, type MessageView, type WebSocketLike } from './index.js';

const tsc = (project: string) => {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err);
  }
};

describe('reference client (clients/js)', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: Agent;
  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    admin = await makeAgent(t, tenant, 'admin');
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const apiKey = async (scopes: string[]) => makeApiKey(t, await login(t, admin), scopes);
  /** Node's socket with the Origin the server requires (PUBLIC_URL). */
  const nodeSocket = (url: string) => new WebSocket(url, { headers: { origin: t.origin } }) as unknown as WebSocketLike;

  it('has types generated from the live document, which type-check a program and reject a wrong one', { timeout: 120_000 }, async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json() as object;
    const fresh = await clientTypes(spec);
    expect(fresh === readFileSync(CLIENT_TYPES_FILE, 'utf8'), `${CLIENT_TYPES_FILE} is stale: run npm run client:types`).toBe(true);
    expect(tsc('clients/js/tsconfig.json')).toBe('');
    // Control: the same types refuse a program that misreads an answer.
    const dir = mkdtempSync(join('clients/js', '.typecheck-'));
    try {
      writeFileSync(join(dir, 'wrong.ts'), `import type { ParleyRestClient } from '../src/index.js';\nexport async function f(api: ParleyRestClient) {\n  const m = await api.request('post', '/api/conversations/{id}/messages', { params: { id: 'x' }, body: { clientId: 'c', body: 'b' } });\n  const wrong: string = m.seq;\n  return wrong;\n}\n`);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }));
      expect(tsc(join(dir, 'tsconfig.json'))).toMatch(/TS2322.*number.*string/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls the REST API with typed answers and typed errors', async () => {
    const api = new ParleyRestClient({ baseUrl: t.url, apiKey: await apiKey(['conversations:read', 'conversations:write']) });
    const offline = await t.app.inject({ method: 'POST', url: '/api/widget/offline-message', payload: { key: tenant.widget_key, name: 'Ann', email: 'ann@example.com', body: 'Hello?' } });
    const { conversationId } = offline.json() as { conversationId: string };
    const page = await api.request('get', '/api/conversations', { query: { view: 'all' } });
    expect(page.items.map((c) => c.id)).toContain(conversationId);
    const sent = await api.request('post', '/api/conversations/{id}/messages', { params: { id: conversationId }, body: { clientId: 'rest-1', body: 'We are on it' } });
    expect(sent.seq).toBe(2);
    const again = await api.request('post', '/api/conversations/{id}/messages', { params: { id: conversationId }, body: { clientId: 'rest-1', body: 'We are on it' } });
    expect(again.id).toBe(sent.id);
    const denied = await api.request('get', '/api/admin/api-keys', {}).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ParleyApiError);
    expect(denied).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('catches up more than one page of missed messages, page by page, each once', async () => {
    const agent = await makeAgent(t, tenant, 'admin');
    const { token } = await visitorSession(t, tenant);
    const first = await TestSocket.open(t, '/ws/visitor');
    first.send({ type: 'hello', token });
    await first.next('ready');
    first.send({ type: 'message.send', clientId: 'v1', body: 'anyone there?' });
    const conversationId = (await first.next('ack')).message.conversationId as string;
    first.close();
    // 260 replies while the visitor is away: more than one resume page (LIMITS.historyPageSize = 200).
    const api = new ParleyRestClient({ baseUrl: t.url, apiKey: await makeApiKey(t, await login(t, agent), ['conversations:write']) });
    for (let i = 1; i <= 260; i++) await api.request('post', '/api/conversations/{id}/messages', { params: { id: conversationId }, body: { clientId: `r${i}`, body: `reply ${i}` } });
    const got: MessageView[] = [];
    const frames: string[] = [];
    const client = new ParleySocket({ url: t.url.replace('http', 'ws') + '/ws/visitor', visitorToken: token, open: nodeSocket, onMessage: (m) => got.push(m), onFrame: (f) => frames.push(f.type) });
    try {
      for (let i = 0; i < 400 && got.length < 261; i++) await new Promise((r) => setTimeout(r, 25));
      expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 261 }, (_, i) => i + 1));
      expect(frames).toContain('history');
      expect(client.conversationId).toBe(conversationId);
    } finally {
      client.close();
    }
  });

  it('acks, retries after a dropped connection without duplicates, and resumes what was missed', async () => {
    const agent = await makeAgent(t, tenant);
    const agentWs = await TestSocket.open(t, '/ws/agent', { cookie: (await login(t, agent)).cookie });
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    const { token } = await visitorSession(t, tenant);
    const got: MessageView[] = [];
    const states: string[] = [];
    const client = new ParleySocket({ url: t.url.replace('http', 'ws') + '/ws/visitor', visitorToken: token, open: nodeSocket, onMessage: (m) => got.push(m), onState: (s) => states.push(s), baseDelayMs: 20 });
    try {
      const first = await client.send('first');
      expect(first.seq).toBe(1);
      expect(client.conversationId).toBe(first.conversationId);
      // The server drops the socket; meanwhile the agent answers twice and the visitor sends two more.
      for (const c of t.gateway.rooms.all()) if (!('agent' in c)) c.close(4010, 'resume');
      agentWs.send({ type: 'message.send', clientId: 'a1', conversationId: first.conversationId, body: 'reply one' });
      await agentWs.next('ack');
      agentWs.send({ type: 'message.send', clientId: 'a2', conversationId: first.conversationId, body: 'reply two' });
      await agentWs.next('ack');
      const [second, third] = await Promise.all([client.send('second'), client.send('third')]);
      expect(third.seq).toBeGreaterThan(second.seq); // order kept across the reconnect
      expect(states.filter((s) => s === 'open').length).toBeGreaterThanOrEqual(2);
      // Everything once: the missed replies came with the resume, nothing repeated.
      const bodies = got.map((m) => m.body);
      expect(bodies).toEqual(expect.arrayContaining(['first', 'reply one', 'reply two', 'second', 'third']));
      expect(new Set(got.map((m) => m.id)).size).toBe(got.length);
      const stored = await t.ctx.storage.db.selectFrom('messages').select('client_id').where('conversation_id', '=', first.conversationId).execute();
      expect(stored.length).toBe(5);
      expect(states.filter((s) => s === 'closed').length).toBe(1);
      // A send the server refuses for good is rejected with its code, not retried; one too big is refused before sending.
      await expect(client.send('a private note?', { internal: true })).rejects.toMatchObject({ name: 'SendFailedError', code: 'forbidden' });
      await expect(client.send('x'.repeat(20_000))).rejects.toMatchObject({ code: 'payload_too_large' });
      expect(await client.send('still fine')).toMatchObject({ seq: 6 });
      expect(client.pending()).toEqual([]);
    } finally {
      client.close();
      agentWs.close();
    }
  });
});
