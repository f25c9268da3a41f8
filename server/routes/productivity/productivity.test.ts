/**
 * Agent productivity (issue 20 item 2), over HTTP in-process, on SQLite and PostgreSQL: labels,
 * priority, snooze, macros, bulk actions, label reports, API-key scopes, and tenant isolation on
 * every new route.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { createMessage } from '../../commands/messageCreator.js';
import { wakeDueSnoozes } from '../../commands/conversationTagger.js';
import type { Agent, Tenant } from '../../storage/schema.js';
import '../../storage/productivitySchema.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

describe('agent productivity API', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agent: Agent;
  let me: LoggedIn;
  let boss: LoggedIn;

  async function conversation(tenantOf: Tenant, body = 'hello'): Promise<{ id: string; visitorId: string }> {
    const { visitorId } = await visitorSession(t, tenantOf, { name: 'Grace' });
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenantOf.id, visitorId }, { clientId: 'c' + Math.random().toString(36).slice(2), body });
    return { id: message.conversationId, visitorId };
  }
  const api = (method: Method, url: string, who: LoggedIn | Record<string, string> = me, payload?: object) =>
    t.app.inject({ method, url, headers: 'headers' in who ? (who as LoggedIn).headers : (who as Record<string, string>), ...(payload ? { payload } : {}) });
  const ids = async (q: string, who: LoggedIn = me) => (await api('GET', `/api/conversations?${q}`, who)).json().items.map((c: { id: string }) => c.id);
  const label = async (name: string, who: LoggedIn = boss) => {
    const res = await api('POST', '/api/labels', who, { name });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; name: string; color: string };
  };
  const row = (id: string) => t.ctx.storage.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** What this feature changes of a conversation (routing may set queued_at meanwhile, on its own). */
  const state = async (id: string) => {
    const r = await row(id);
    return { status: r.status, assignee: r.assignee_id, priority: r.priority, snoozed: r.snoozed, until: r.snoozed_until, seq: r.last_seq, resolved: r.resolved_at };
  };

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    agent = await makeAgent(t, tenant);
    me = await login(t, agent);
    boss = await login(t, await makeAgent(t, tenant, 'supervisor'));
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('labels: supervisors define them, agents apply them, the inbox filters by them', async () => {
    const vip = await label('VIP');
    const refund = await label('Refund');
    expect((await api('POST', '/api/labels', me, { name: 'Nope' })).statusCode).toBe(403); // plain agents do not define labels
    const dup = await api('POST', '/api/labels', boss, { name: ' vip ' });
    expect(dup.statusCode).toBe(409);
    expect((await api('GET', '/api/labels')).json().items.map((l: { name: string }) => l.name)).toEqual(['Refund', 'VIP']);

    const a = await conversation(tenant);
    const b = await conversation(tenant);
    const put = await api('PUT', `/api/conversations/${a.id}/labels/${vip.id}`);
    expect(put.statusCode).toBe(200);
    expect(put.json().labels).toEqual([{ id: vip.id, name: 'VIP', color: vip.color }]);
    expect((await api('PUT', `/api/conversations/${a.id}/labels/${vip.id}`)).json().labels).toHaveLength(1); // idempotent
    await api('PUT', `/api/conversations/${b.id}/labels/${refund.id}`);
    expect(await ids(`view=all&label=${vip.id}`)).toEqual([a.id]);
    expect(await ids(`view=all&label=${refund.id}`)).toEqual([b.id]);
    const off = await api('DELETE', `/api/conversations/${a.id}/labels/${vip.id}`);
    expect(off.json().labels).toEqual([]);
    expect(await ids(`view=all&label=${vip.id}`)).toEqual([]);

    // Renaming shows everywhere; deleting a label takes it off its conversations.
    expect((await api('PUT', `/api/labels/${refund.id}`, boss, { name: 'Refunds', color: '#112233' })).json()).toMatchObject({ name: 'Refunds', color: '#112233' });
    expect((await api('GET', `/api/conversations/${b.id}`)).json().labels[0].name).toBe('Refunds');
    expect((await api('DELETE', `/api/labels/${refund.id}`, boss)).statusCode).toBe(204);
    expect((await api('GET', `/api/conversations/${b.id}`)).json().labels).toEqual([]);
    // Every label change is an audited access to the conversation.
    const audit = await t.ctx.storage.db.selectFrom('audit_log').select(['action']).where('action', '=', 'conversation.label').execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it('priority: set, filter and sort, with a cursor that neither repeats nor skips', async () => {
    const made: Array<{ id: string }> = [];
    for (let i = 0; i < 5; i++) made.push(await conversation(tenant, `m${i}`));
    const urgent = made[1]!.id;
    const high = made[3]!.id;
    expect((await api('POST', `/api/conversations/${urgent}/priority`, me, { priority: 'urgent' })).json().priority).toBe('urgent');
    await api('POST', `/api/conversations/${high}/priority`, me, { priority: 'high' });
    await api('POST', `/api/conversations/${made[0]!.id}/priority`, me, { priority: 'low' });
    expect(await ids('view=all&priority=urgent')).toEqual([urgent]);
    const sorted = await ids('view=all&sort=priority');
    expect(sorted.slice(0, 2)).toEqual([urgent, high]);
    expect(sorted[sorted.length - 1]).toBe(made[0]!.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await api('GET', `/api/conversations?view=all&sort=priority&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json();
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(sorted);
    expect((await api('POST', `/api/conversations/${urgent}/priority`, me, { priority: 'extreme' })).statusCode).toBe(400);
    expect((await api('GET', '/api/conversations?sort=priority&cursor=123:abc')).statusCode).toBe(400);
  });

  it('snooze until a time: out of the open lists, back when the periodic pass finds it due', async () => {
    const a = await conversation(tenant);
    const b = await conversation(tenant);
    const until = new Date(Date.now() + 60_000).toISOString();
    const snoozed = await api('POST', `/api/conversations/${a.id}/snooze`, me, { until });
    expect(snoozed.statusCode).toBe(200);
    expect(snoozed.json()).toMatchObject({ snoozed: true, snoozedUntil: until });
    expect(await ids('view=unassigned')).toEqual([b.id]);
    expect(await ids('view=all&status=open')).toEqual([b.id]);
    expect(await ids('view=snoozed')).toEqual([a.id]);
    expect(await wakeDueSnoozes(t.ctx, Date.now())).toBe(0); // not yet
    expect(await wakeDueSnoozes(t.ctx, Date.now() + 61_000)).toBe(1);
    expect((await row(a.id)).snoozed).toBe(0);
    expect((await ids('view=unassigned')).sort()).toEqual([a.id, b.id].sort());
    // In the past, or a resolved conversation: refused, nothing changed.
    expect((await api('POST', `/api/conversations/${a.id}/snooze`, me, { until: new Date(Date.now() - 1000).toISOString() })).statusCode).toBe(400);
    await api('POST', `/api/conversations/${b.id}/resolve`);
    expect((await api('POST', `/api/conversations/${b.id}/snooze`, me, {})).statusCode).toBe(409);
    expect((await row(b.id)).snoozed).toBe(0);
  });

  it('snooze until the customer replies: the visitor’s next message brings it back', async () => {
    const a = await conversation(tenant);
    await api('POST', `/api/conversations/${a.id}/snooze`, me, {});
    expect((await row(a.id)).snoozed).toBe(1);
    expect(await wakeDueSnoozes(t.ctx, Date.now() + 366 * 86_400_000)).toBe(0); // no time: only a reply wakes it
    expect(await ids('view=unassigned')).toEqual([]);
    // An agent's own note does not wake it; the visitor's message does.
    await createMessage(t.ctx, { kind: 'agent', tenantId: tenant.id, agent }, { clientId: 'n1', conversationId: a.id, body: 'waiting for them', internal: true });
    expect((await row(a.id)).snoozed).toBe(1);
    await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: a.visitorId }, { clientId: 'v2', body: 'here is my order number' });
    await expect.poll(async () => (await row(a.id)).snoozed, { timeout: 5000 }).toBe(0);
    expect(await ids('view=unassigned')).toEqual([a.id]);
  });

  it('macros: reply, label, priority, assign and resolve in one action; a retry sends nothing twice', async () => {
    const vip = await label('VIP');
    const created = await api('POST', '/api/macros', boss, {
      name: 'Refund done',
      actions: [
        { type: 'reply', body: 'Hi {{visitor.name}}, your refund is on its way. {{agent.name}}' },
        { type: 'label', labelId: vip.id },
        { type: 'priority', priority: 'high' },
        { type: 'assign', agentId: 'me' },
        { type: 'status', status: 'resolved' },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const macro = created.json();
    expect((await api('POST', '/api/macros', me, { name: 'x', actions: [{ type: 'status', status: 'resolved' }] })).statusCode).toBe(403);
    expect((await api('GET', '/api/macros')).json().items.map((m: { name: string }) => m.name)).toEqual(['Refund done']);

    const a = await conversation(tenant);
    const applied = await api('POST', `/api/conversations/${a.id}/macros/${macro.id}`, me, { clientId: 'mac-1' });
    expect(applied.statusCode, applied.body).toBe(200);
    const out = applied.json();
    expect(out.duplicate).toBe(false);
    expect(out.conversation).toMatchObject({ status: 'resolved', priority: 'high', assignee: { id: agent.id }, labels: [{ id: vip.id }] });
    const msgs = (await api('GET', `/api/conversations/${a.id}/messages`)).json().items;
    expect(msgs.map((m: { body: string }) => m.body)).toEqual(['hello', `Hi Grace, your refund is on its way. ${agent.name}`]);

    const again = await api('POST', `/api/conversations/${a.id}/macros/${macro.id}`, me, { clientId: 'mac-1' });
    expect(again.json()).toMatchObject({ duplicate: true, messageId: out.messageId });
    expect((await api('GET', `/api/conversations/${a.id}/messages`)).json().items).toHaveLength(2);
  });

  it('macros are atomic: one refused step and nothing at all changes', async () => {
    const vip = await label('VIP');
    const colleague = await makeAgent(t, tenant);
    const macro = (
      await api('POST', '/api/macros', boss, {
        name: 'Escalate',
        actions: [
          { type: 'label', labelId: vip.id },
          { type: 'reply', body: 'A colleague takes over.' },
          { type: 'assign', agentId: colleague.id },
        ],
      })
    ).json();
    const a = await conversation(tenant);
    const before = await state(a.id);
    // A plain agent may not assign a colleague: the label and the reply must not be written either.
    const refused = await api('POST', `/api/conversations/${a.id}/macros/${macro.id}`, me, { clientId: 'x1' });
    expect(refused.statusCode).toBe(403);
    expect(await state(a.id)).toEqual(before);
    expect(await t.ctx.storage.db.selectFrom('conversation_labels').selectAll().execute()).toEqual([]);
    expect((await api('GET', `/api/conversations/${a.id}/messages`)).json().items).toHaveLength(1);

    // Inside the transaction: the reply is refused on a resolved conversation after the label was written: rolled back.
    const replyOnly = (await api('POST', '/api/macros', boss, { name: 'Label and reply', actions: [{ type: 'label', labelId: vip.id }, { type: 'reply', body: 'hi' }] })).json();
    await api('POST', `/api/conversations/${a.id}/resolve`);
    const closed = await api('POST', `/api/conversations/${a.id}/macros/${replyOnly.id}`, boss, { clientId: 'x2' });
    expect(closed.statusCode).toBe(409);
    expect(await t.ctx.storage.db.selectFrom('conversation_labels').selectAll().execute()).toEqual([]);
    // A macro naming a label that was deleted since is refused whole.
    await api('DELETE', `/api/labels/${vip.id}`, boss);
    await api('POST', `/api/conversations/${a.id}/reopen`);
    expect((await api('POST', `/api/conversations/${a.id}/macros/${replyOnly.id}`, boss, { clientId: 'x3' })).statusCode).toBe(404);
    expect((await api('GET', `/api/conversations/${a.id}/messages`)).json().items).toHaveLength(1);
  });

  it('bulk: assign, label and resolve several at once; one bad id and nothing changes', async () => {
    const vip = await label('VIP');
    const a = await conversation(tenant);
    const b = await conversation(tenant);
    const c = await conversation(tenant);
    const labelled = await api('POST', '/api/conversations/bulk', me, { ids: [a.id, b.id], action: { type: 'label', labelId: vip.id } });
    expect(labelled.statusCode, labelled.body).toBe(200);
    expect(labelled.json().items.map((x: { labels: unknown[] }) => x.labels.length)).toEqual([1, 1]);
    expect((await api('POST', '/api/conversations/bulk', me, { ids: [a.id, b.id, c.id], action: { type: 'assign', agentId: agent.id } })).statusCode).toBe(200);
    expect((await ids('view=mine')).sort()).toEqual([a.id, b.id, c.id].sort());
    const resolved = await api('POST', '/api/conversations/bulk', me, { ids: [a.id, c.id], action: { type: 'resolve' } });
    expect(resolved.json().items.map((x: { status: string }) => x.status)).toEqual(['resolved', 'resolved']);
    expect(await ids('view=mine')).toEqual([b.id]);

    const other = await makeTenant(t);
    const theirs = await conversation(other);
    const before = await state(b.id);
    const mixed = await api('POST', '/api/conversations/bulk', me, { ids: [b.id, theirs.id], action: { type: 'resolve' } });
    expect(mixed.statusCode).toBe(404);
    expect(await state(b.id)).toEqual(before);
    expect((await row(theirs.id)).status).toBe('open');
    // A plain agent may not assign others in bulk either.
    const colleague = await makeAgent(t, tenant);
    expect((await api('POST', '/api/conversations/bulk', me, { ids: [b.id], action: { type: 'assign', agentId: colleague.id } })).statusCode).toBe(403);
    for (const bad of [{ ids: [], action: { type: 'resolve' } }, { ids: [a.id, a.id], action: { type: 'resolve' } }, { ids: [a.id], action: { type: 'explode' } }]) {
      expect((await api('POST', '/api/conversations/bulk', me, bad)).statusCode).toBe(400);
    }
  });

  it('reports by label, as JSON and CSV', async () => {
    const vip = await label('VIP');
    const refund = await label('=Refund'); // a formula character: neutralised in the CSV
    const a = await conversation(tenant);
    const b = await conversation(tenant);
    await api('POST', '/api/conversations/bulk', me, { ids: [a.id, b.id], action: { type: 'label', labelId: vip.id } });
    await api('PUT', `/api/conversations/${b.id}/labels/${refund.id}`);
    await api('POST', `/api/conversations/${b.id}/resolve`);
    const report = await api('GET', '/api/reports/labels', boss);
    expect(report.statusCode, report.body).toBe(200);
    const byName = Object.fromEntries(report.json().labels.map((l: { name: string }) => [l.name, l]));
    expect(byName.VIP).toMatchObject({ conversations: 2, resolved: 1, open: 1 });
    expect(byName['=Refund']).toMatchObject({ conversations: 1, resolved: 1, open: 0 });
    const csv = await api('GET', '/api/reports/labels.csv', boss);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain(`${vip.id},VIP,2,1,1`);
    expect(csv.body).toContain(`'=Refund`);
    expect((await api('GET', '/api/reports/labels', me)).statusCode).toBe(403); // plain agents have no reports:read
  });

  it('API keys: each route asks for its scope', async () => {
    const admin = await login(t, await makeAgent(t, tenant, 'admin'));
    const readOnly = { authorization: `Bearer ${await makeApiKey(t, admin, ['conversations:read', 'content:read'])}` };
    const writer = { authorization: `Bearer ${await makeApiKey(t, admin, ['conversations:write', 'content:write'])}` };
    const vip = await label('VIP');
    const a = await conversation(tenant);
    expect((await api('GET', '/api/labels', readOnly)).statusCode).toBe(200);
    expect((await api('POST', '/api/labels', readOnly, { name: 'x' })).statusCode).toBe(403);
    expect((await api('PUT', `/api/conversations/${a.id}/labels/${vip.id}`, readOnly)).statusCode).toBe(403);
    expect((await api('PUT', `/api/conversations/${a.id}/labels/${vip.id}`, writer)).statusCode).toBe(200);
    expect((await api('POST', `/api/conversations/${a.id}/priority`, writer, { priority: 'urgent' })).statusCode).toBe(200);
    expect((await api('GET', '/api/reports/labels', readOnly)).statusCode).toBe(403);
  });

  it('never shows or changes another tenant’s labels, macros or conversations, on any new route', async () => {
    const other = await makeTenant(t);
    const theirBoss = await login(t, await makeAgent(t, other, 'supervisor'));
    const theirLabel = await label('Theirs', theirBoss);
    const theirMacro = (await api('POST', '/api/macros', theirBoss, { name: 'Theirs', actions: [{ type: 'label', labelId: theirLabel.id }] })).json();
    const theirs = await conversation(other, 'secret of tenant B');
    const mine = await conversation(tenant);
    const myLabel = await label('Mine');
    const myMacro = (await api('POST', '/api/macros', boss, { name: 'Mine', actions: [{ type: 'label', labelId: myLabel.id }] })).json();
    const before = await state(theirs.id);

    const attempts: Array<[Method, string, object | undefined]> = [
      ['PUT', `/api/labels/${theirLabel.id}`, { name: 'stolen' }],
      ['DELETE', `/api/labels/${theirLabel.id}`, undefined],
      ['PUT', `/api/macros/${theirMacro.id}`, { name: 'stolen', actions: [{ type: 'status', status: 'resolved' }] }],
      ['DELETE', `/api/macros/${theirMacro.id}`, undefined],
      ['PUT', `/api/conversations/${theirs.id}/labels/${myLabel.id}`, undefined],
      ['PUT', `/api/conversations/${mine.id}/labels/${theirLabel.id}`, undefined],
      ['DELETE', `/api/conversations/${theirs.id}/labels/${myLabel.id}`, undefined],
      ['POST', `/api/conversations/${theirs.id}/priority`, { priority: 'urgent' }],
      ['POST', `/api/conversations/${theirs.id}/snooze`, {}],
      ['POST', `/api/conversations/${theirs.id}/unsnooze`, undefined],
      ['POST', `/api/conversations/${theirs.id}/macros/${myMacro.id}`, { clientId: 'a' }],
      ['POST', `/api/conversations/${mine.id}/macros/${theirMacro.id}`, { clientId: 'b' }],
      ['POST', '/api/conversations/bulk', { ids: [theirs.id], action: { type: 'resolve' } }],
      ['POST', '/api/conversations/bulk', { ids: [mine.id], action: { type: 'label', labelId: theirLabel.id } }],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await api(method, url, boss, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.body).not.toContain('secret of tenant B');
    }
    // A macro may not name another tenant's label.
    expect((await api('POST', '/api/macros', boss, { name: 'Sneaky', actions: [{ type: 'label', labelId: theirLabel.id }] })).statusCode).toBe(404);
    expect((await api('GET', '/api/labels', boss)).json().items.map((l: { name: string }) => l.name)).toEqual(['Mine']);
    expect((await api('GET', '/api/macros', boss)).json().items.map((m: { name: string }) => m.name)).toEqual(['Mine']);
    expect(await ids(`view=all&label=${theirLabel.id}`, boss)).toEqual([]);
    expect((await api('GET', '/api/reports/labels', boss)).json().labels.map((l: { name: string }) => l.name)).toEqual(['Mine']);
    expect(await state(theirs.id)).toEqual(before);
    expect((await api('GET', '/api/labels', theirBoss)).json().items).toEqual([theirLabel]);
    expect(await t.ctx.storage.db.selectFrom('conversation_labels').selectAll().where('tenant_id', '=', other.id).execute()).toEqual([]);
  });
});
