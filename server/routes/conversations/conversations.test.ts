import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { createMessage } from '../../commands/messageCreator.js';
import type { Agent, Tenant } from '../../storage/schema.js';

describe('conversations API', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agent: Agent;
  let me: LoggedIn;

  /** A conversation started by a new visitor of `tenantOf` with one message. */
  async function conversation(tenantOf: Tenant, body = 'hello'): Promise<string> {
    const { visitorId } = await visitorSession(t, tenantOf, { name: 'Grace' });
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenantOf.id, visitorId }, { clientId: 'c' + Math.random().toString(36).slice(2), body });
    return message.conversationId;
  }
  const api = (method: 'GET' | 'POST', url: string, who: LoggedIn = me, payload?: object) =>
    t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    agent = await makeAgent(t, tenant);
    me = await login(t, agent);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('lists unassigned / mine / all and moves conversations between them', async () => {
    const a = await conversation(tenant, 'first');
    const b = await conversation(tenant, 'second');
    const ids = async (q: string) => (await api('GET', `/api/conversations?${q}`)).json().items.map((c: { id: string }) => c.id);
    expect(await ids('view=unassigned')).toEqual([b, a]);
    expect(await ids('view=mine')).toEqual([]);

    const assigned = await api('POST', `/api/conversations/${a}/assign`, me, { agentId: agent.id });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json().assignee).toEqual({ id: agent.id, name: agent.name });
    expect(await ids('view=mine')).toEqual([a]);
    expect(await ids('view=unassigned')).toEqual([b]);

    const resolved = await api('POST', `/api/conversations/${a}/resolve`);
    expect(resolved.json().status).toBe('resolved');
    expect(await ids('view=mine')).toEqual([]);
    expect(await ids('view=all&status=resolved')).toEqual([a]);
    expect((await api('POST', `/api/conversations/${a}/reopen`)).json().status).toBe('open');

    const list = (await api('GET', '/api/conversations?view=all')).json();
    expect(list.items[0].lastMessage.body).toBe('first');
    expect(list.items[0].visitor.name).toBe('Grace');
  });

  it('pages with a cursor without repeating or skipping', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await conversation(tenant, `m${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/api/conversations?view=all&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const page = res.json();
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    // Same-millisecond conversations may tie on time; what matters is each appears exactly once.
    expect(seen).toHaveLength(made.length);
    expect([...seen].sort()).toEqual([...made].sort());
  });

  it('sends a reply over HTTP idempotently and refuses replies to resolved conversations', async () => {
    const id = await conversation(tenant);
    const first = await api('POST', `/api/conversations/${id}/messages`, me, { clientId: 'r1', body: 'On its way' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ seq: 2, author: { kind: 'agent', id: agent.id } });
    const retry = await api('POST', `/api/conversations/${id}/messages`, me, { clientId: 'r1', body: 'On its way' });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(first.json().id);
    const history = (await api('GET', `/api/conversations/${id}/messages?afterSeq=1`)).json();
    expect(history.items.map((m: { body: string }) => m.body)).toEqual(['On its way']);
    await api('POST', `/api/conversations/${id}/resolve`);
    const closed = await api('POST', `/api/conversations/${id}/messages`, me, { clientId: 'r2', body: 'late' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error.code).toBe('conversation_closed');
  });

  it('lets plain agents assign only themselves', async () => {
    const id = await conversation(tenant);
    const colleague = await makeAgent(t, tenant);
    const denied = await api('POST', `/api/conversations/${id}/assign`, me, { agentId: colleague.id });
    expect(denied.statusCode).toBe(403);
    const supervisor = await login(t, await makeAgent(t, tenant, 'supervisor'));
    expect((await api('POST', `/api/conversations/${id}/assign`, supervisor, { agentId: colleague.id })).statusCode).toBe(200);
  });

  it('never shows or changes another tenant’s conversations, on any endpoint', async () => {
    const other = await makeTenant(t);
    const theirs = await conversation(other, 'secret of tenant B');
    const theirAgent = await makeAgent(t, other);
    const before = await t.ctx.storage.db.selectFrom('conversations').selectAll().where('id', '=', theirs).executeTakeFirstOrThrow();

    const attempts: Array<[string, 'GET' | 'POST', object | undefined]> = [
      [`/api/conversations/${theirs}`, 'GET', undefined],
      [`/api/conversations/${theirs}/messages`, 'GET', undefined],
      [`/api/conversations/${theirs}/messages`, 'POST', { clientId: 'x', body: 'injected' }],
      [`/api/conversations/${theirs}/assign`, 'POST', { agentId: agent.id }],
      [`/api/conversations/${theirs}/resolve`, 'POST', undefined],
      [`/api/conversations/${theirs}/reopen`, 'POST', undefined],
    ];
    for (const [url, method, payload] of attempts) {
      const res = await api(method, url, me, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.body).not.toContain('secret of tenant B');
    }
    // Assigning my conversation to their agent is refused too.
    const mine = await conversation(tenant);
    const admin = await login(t, await makeAgent(t, tenant, 'admin'));
    expect((await api('POST', `/api/conversations/${mine}/assign`, admin, { agentId: theirAgent.id })).statusCode).toBe(404);
    for (const view of ['all', 'unassigned', 'mine']) {
      const list = (await api('GET', `/api/conversations?view=${view}`)).json();
      expect(list.items.map((c: { id: string }) => c.id)).not.toContain(theirs);
    }
    const after = await t.ctx.storage.db.selectFrom('conversations').selectAll().where('id', '=', theirs).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('requires a session, and rejects bad queries and bodies', async () => {
    const id = await conversation(tenant);
    expect((await t.app.inject({ method: 'GET', url: '/api/conversations' })).statusCode).toBe(401);
    const bad: Array<['GET' | 'POST', string, object | undefined, RegExp]> = [
      ['GET', '/api/conversations?view=everything', undefined, /querystring\/view/],
      ['GET', '/api/conversations?limit=0', undefined, /querystring\/limit/],
      ['GET', '/api/conversations?limit=abc', undefined, /querystring\/limit/],
      ['GET', '/api/conversations?cursor=garbage', undefined, /cursor/],
      ['GET', `/api/conversations/${id}/messages?afterSeq=-1`, undefined, /afterSeq/],
      ['POST', `/api/conversations/${id}/messages`, { clientId: 'a b', body: 'x' }, /clientId/],
      ['POST', `/api/conversations/${id}/messages`, { clientId: 'a', body: 5 }, /body/],
      ['POST', `/api/conversations/${id}/assign`, { agentId: 7 }, /agentId/],
      ['POST', `/api/conversations/${id}/assign`, {}, /agentId/],
    ];
    for (const [method, url, payload, message] of bad) {
      const res = await api(method, url, me, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    expect((await api('GET', '/api/conversations/conv_missing')).statusCode).toBe(404);
  });
});
