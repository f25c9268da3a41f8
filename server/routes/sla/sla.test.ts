/**
 * Service levels on a real node (SQLite and PostgreSQL): policies (validation, roles, API-key scopes,
 * tenant isolation), deadlines counted in business hours, first/next response and resolution clocks
 * followed from events, breaches raised once across two nodes with their webhook and agent frame, a
 * lost event settled from the messages, and the met/breached report in JSON and CSV.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, TestSocket, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { createMessage } from '../../commands/messageCreator.js';
import { setConversationStatus } from '../../commands/conversationStatusChanger.js';
import { slaIdle } from '../../commands/slaTracker.js';
import { slaDeadline } from '../../policies/slaClock.js';
import { newId } from '../../security/ids.js';
import type { Agent, Tenant } from '../../storage/schema.js';

const MIN = 60_000;

describe('service levels', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: Agent;
  let adminIn: LoggedIn;
  const sockets: TestSocket[] = [];
  const others: TestParley[] = [];

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    admin = await makeAgent(t, tenant, 'admin');
    adminIn = await login(t, admin);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const o of others.splice(0)) await o.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: LoggedIn | { headers: Record<string, string> } | null = adminIn, payload?: object) =>
    t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  async function team(body: Record<string, unknown> = {}, who: LoggedIn = adminIn): Promise<string> {
    const res = await api('POST', '/api/teams', who, { name: 'Support', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: null, holidays: [], notifyEmail: null, memberIds: [], ...body });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  }
  const policyBody = (teamId: string, extra: Record<string, unknown> = {}) => ({ name: 'Standard', teamId, firstResponseMinutes: 5, nextResponseMinutes: 10, resolutionMinutes: 60, businessHours: false, ...extra });
  async function policy(teamId: string, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
    const res = await api('POST', '/api/sla-policies', adminIn, policyBody(teamId, extra));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  const settle = async () => {
    await t.contactCentre.idle();
    await slaIdle(t.ctx.bus);
  };
  async function visitorWrites(body = 'Hello, I need help', visitorId?: string) {
    const vid = visitorId ?? (await visitorSession(t, tenant)).visitorId;
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: vid }, { clientId: newId('c'), body });
    await settle();
    return { visitorId: vid, conversationId: message.conversationId, at: Date.parse(message.createdAt) };
  }
  async function agentReplies(conversationId: string, body = 'On it') {
    const { message } = await createMessage(t.ctx, { kind: 'agent', tenantId: tenant.id, agent: admin }, { clientId: newId('c'), body, conversationId });
    await settle();
    return Date.parse(message.createdAt);
  }
  const slaRow = (conversationId: string) => t.ctx.storage.db.selectFrom('conversation_sla').selectAll().where('conversation_id', '=', conversationId).executeTakeFirstOrThrow();
  const clocks = async (conversationId: string) => ((await api('GET', '/api/sla/conversations')).json() as { items: Array<{ conversationId: string; clocks: Array<{ target: string; breachedAt: string | null }> }> }).items.find((i) => i.conversationId === conversationId)?.clocks ?? null;
  async function hook(events: string[]) {
    await t.ctx.storage.db.insertInto('webhooks').values({ id: newId('whk'), tenant_id: tenant.id, url: 'https://hooks.example/sla', secret: 'whsec_x', events: JSON.stringify(events), created_at: Date.now(), disabled_at: null }).execute();
  }
  const breachDeliveries = async () =>
    (await t.ctx.storage.db.selectFrom('webhook_deliveries').select(['event_type', 'payload']).where('tenant_id', '=', tenant.id).where('event_type', '=', 'sla.breached').execute()).map((d) => JSON.parse(d.payload) as { type: string; data: Record<string, unknown> });

  it('validates policies, lets supervisors and content:write keys edit them, and keeps them per tenant', async () => {
    const teamId = await team();
    // No target at all, an unknown or foreign team, a bad field: clear errors, nothing stored.
    expect((await api('POST', '/api/sla-policies', adminIn, policyBody(teamId, { firstResponseMinutes: null, nextResponseMinutes: null, resolutionMinutes: null }))).statusCode).toBe(400);
    expect((await api('POST', '/api/sla-policies', adminIn, policyBody(teamId, { firstResponseMinutes: 0 }))).statusCode).toBe(400);
    expect((await api('POST', '/api/sla-policies', adminIn, { ...policyBody(teamId), extra: 1 })).statusCode).toBe(400);
    const other = await makeTenant(t);
    const otherAdmin = await login(t, await makeAgent(t, other, 'admin'));
    const foreignTeam = await team({ name: 'Theirs' }, otherAdmin);
    expect((await api('POST', '/api/sla-policies', adminIn, policyBody(foreignTeam))).statusCode).toBe(404);
    expect((await api('GET', '/api/sla-policies')).json()).toEqual({ items: [] });

    const p = await policy(teamId);
    expect((await api('POST', '/api/sla-policies', adminIn, policyBody(teamId, { name: 'Second' }))).statusCode).toBe(409);
    // Another tenant neither sees, changes nor deletes it (not found, never forbidden).
    expect((await api('GET', '/api/sla-policies', otherAdmin)).json()).toEqual({ items: [] });
    expect((await api('PUT', `/api/sla-policies/${p.id}`, otherAdmin, policyBody(foreignTeam))).statusCode).toBe(404);
    expect((await api('DELETE', `/api/sla-policies/${p.id}`, otherAdmin)).statusCode).toBe(404);
    expect((await api('GET', '/api/reports/sla', otherAdmin)).json().rows).toEqual([]);
    // Agents read, never write; a content:read key reads, a content:write key writes.
    const agentIn = await login(t, await makeAgent(t, tenant, 'agent'));
    expect((await api('GET', '/api/sla-policies', agentIn)).statusCode).toBe(200);
    expect((await api('PUT', `/api/sla-policies/${p.id}`, agentIn, policyBody(teamId))).statusCode).toBe(403);
    expect((await api('GET', '/api/reports/sla', agentIn)).statusCode).toBe(403);
    const reader = bearer(await makeApiKey(t, adminIn, ['content:read']));
    expect((await api('GET', '/api/sla-policies', reader)).json().items).toHaveLength(1);
    expect((await api('PUT', `/api/sla-policies/${p.id}`, reader, policyBody(teamId))).statusCode).toBe(403);
    expect((await api('GET', '/api/sla/conversations', reader)).statusCode).toBe(403);
    const writer = bearer(await makeApiKey(t, adminIn, ['content:write']));
    const saved = await api('PUT', `/api/sla-policies/${p.id}`, writer, policyBody(teamId, { name: 'Gold', resolutionMinutes: null }));
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ name: 'Gold', team: { id: teamId, name: 'Support' }, firstResponseMinutes: 5, resolutionMinutes: null });
    const audit = await t.ctx.storage.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.id).where('action', 'like', 'sla_policy.%').execute();
    expect(audit.map((a) => a.action)).toEqual(['sla_policy.create', 'sla_policy.update']);
    expect((await api('DELETE', `/api/sla-policies/${p.id}`, writer)).statusCode).toBe(204);
    expect((await api('GET', '/api/sla-policies')).json()).toEqual({ items: [] });
  });

  it('counts deadlines in the team business hours when the policy says so', async () => {
    const hours = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] };
    const teamId = await team({ timeZone: 'Europe/Paris', weeklyHours: hours, holidays: ['2026-12-25'] });
    await policy(teamId, { businessHours: true, firstResponseMinutes: 120, resolutionMinutes: 24 * 60 });
    const { conversationId } = await visitorWrites();
    await t.sla.pass();
    const row = await slaRow(conversationId);
    const spec = { timeZone: 'Europe/Paris', weeklyHours: hours as never, holidays: ['2026-12-25'] };
    expect(Number(row.first_response_due_at)).toBe(slaDeadline(Number(row.started_at), 120, spec));
    expect(Number(row.resolution_due_at)).toBe(slaDeadline(Number(row.started_at), 24 * 60, spec));
    // Control: counted in calendar time the deadline would be exactly two hours later, which a
    // 09:00-17:00 week only matches when the two hours are all inside one opening.
    expect(Number(row.resolution_due_at)).toBeGreaterThan(Number(row.started_at) + 24 * 60 * MIN);
  });

  it('raises one breach per deadline, once across two nodes, to the webhook and the agents, and reports it', async () => {
    await hook(['sla.breached']);
    const teamId = await team();
    const p = await policy(teamId);
    const agentSock = await TestSocket.open(t, '/ws/agent', { cookie: adminIn.cookie });
    sockets.push(agentSock);
    agentSock.send({ type: 'hello' });
    await agentSock.next('ready');
    const { conversationId } = await visitorWrites();
    await t.sla.pass();
    const row = await slaRow(conversationId);
    expect(Number(row.first_response_due_at) - Number(row.started_at)).toBe(5 * MIN);
    expect((await clocks(conversationId))?.map((c) => c.target)).toEqual(['first_response', 'resolution']);
    expect(await t.sla.pass(Number(row.first_response_due_at) - 1)).toEqual([]);

    const late = Number(row.first_response_due_at) + 1000;
    expect((await t.sla.pass(late)).map((x) => x.target)).toEqual(['first_response']);
    expect(await t.sla.pass(late + 1000)).toEqual([]);
    const deliveries = await breachDeliveries();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ type: 'sla.breached', data: { conversationId, target: 'first_response', policy: { id: p.id, name: 'Standard' }, team: { id: teamId, name: 'Support' } } });
    // The agents hear it, and their countdown turns to a breach.
    expect((await agentSock.next('slaBreach')).breach).toMatchObject({ conversationId, target: 'first_response' });
    expect((await clocks(conversationId))?.find((c) => c.target === 'first_response')?.breachedAt).toBeTruthy();

    // A late reply meets nothing but stops the clock; the visitor's next message starts a reply cycle.
    await agentReplies(conversationId);
    expect((await clocks(conversationId))?.map((c) => c.target)).toEqual(['resolution']);
    const { at } = await visitorWrites('Still there?', (await slaRow(conversationId)) && (await t.ctx.storage.db.selectFrom('conversations').select('visitor_id').where('id', '=', conversationId).executeTakeFirstOrThrow()).visitor_id);
    const cycle = await slaRow(conversationId);
    expect(Number(cycle.next_response_due_at)).toBe(at + 10 * MIN);
    expect((await agentSock.next('sla', (f) => f.sla.clocks.some((c: { target: string }) => c.target === 'next_response'))).sla.conversationId).toBe(conversationId);
    // This one is missed too, and a second node on the same database runs the job at the same
    // moment: exactly one of them claims the breach (one webhook delivery, one event).
    const second = await t.restart();
    others.push(second);
    const missed = Number(cycle.next_response_due_at) + 1;
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([t.sla.pass(missed + round), second.sla.pass(missed + round)]);
      expect([...a, ...b].map((x) => x.target)).toEqual(round === 0 ? ['next_response'] : []);
    }
    expect((await breachDeliveries()).map((d) => d.data.target)).toEqual(['first_response', 'next_response']);
    // Then answered; the next cycle is answered in time.
    await agentReplies(conversationId);
    const vid = (await t.ctx.storage.db.selectFrom('conversations').select('visitor_id').where('id', '=', conversationId).executeTakeFirstOrThrow()).visitor_id;
    await visitorWrites('One more thing', vid);
    await agentReplies(conversationId);
    expect((await slaRow(conversationId)).next_met).toBe(1);
    // Resolved in time: the resolution target is met, no clock runs.
    await setConversationStatus(t.ctx, admin, conversationId, 'resolved');
    await settle();
    expect(await clocks(conversationId)).toBeNull();
    expect(await t.sla.pass(Date.now() + 24 * 60 * MIN)).toEqual([]);

    const report = (await api('GET', '/api/reports/sla')).json();
    expect(report.rows).toEqual([
      {
        policy: { id: p.id, name: 'Standard' },
        team: { id: teamId, name: 'Support' },
        conversations: 1,
        firstResponse: { met: 0, breached: 1, pending: 0 },
        nextResponse: { met: 1, breached: 1, pending: 0 },
        resolution: { met: 1, breached: 0, pending: 0 },
      },
    ]);
    const csv = await api('GET', '/api/reports/sla.csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[0]).toBe('policy_id,policy,team_id,team,conversations,first_response_met,first_response_breached,first_response_pending,next_response_met,next_response_breached,next_response_pending,resolution_met,resolution_breached,resolution_pending');
    expect(csv.body.split('\r\n')[1]).toBe(`${p.id},Standard,${teamId},Support,1,0,1,0,1,1,0,1,0,0`);
    expect((await breachDeliveries()).map((d) => d.data.target)).toEqual(['first_response', 'next_response']);
  });

  it('settles a clock from the messages when the tracker missed the reply (no false breach)', async () => {
    const teamId = await team();
    await policy(teamId);
    const { conversationId } = await visitorWrites();
    await t.sla.pass();
    const replied = await agentReplies(conversationId);
    // The event was lost: the row never heard of the reply.
    await t.ctx.storage.db.updateTable('conversation_sla').set({ first_response_at: null }).where('conversation_id', '=', conversationId).execute();
    const row = await slaRow(conversationId);
    expect(await t.sla.pass(Number(row.first_response_due_at) + 1)).toEqual([]);
    expect(Number((await slaRow(conversationId)).first_response_at)).toBe(replied);
    // Control: with no reply at all, the same pass breaches.
    const other = await visitorWrites();
    await t.sla.pass();
    const row2 = await slaRow(other.conversationId);
    expect((await t.sla.pass(Number(row2.first_response_due_at) + 1)).map((b) => [b.conversationId, b.target])).toEqual([[other.conversationId, 'first_response']]);
  });

  it('does not measure conversations of teams without a policy, and stops with the resolve', async () => {
    await team();
    const { conversationId } = await visitorWrites();
    await t.sla.pass();
    expect(await t.ctx.storage.db.selectFrom('conversation_sla').selectAll().execute()).toEqual([]);
    const teamId = (await t.ctx.storage.db.selectFrom('conversations').select('team_id').where('id', '=', conversationId).executeTakeFirstOrThrow()).team_id!;
    await policy(teamId);
    await t.sla.pass();
    await setConversationStatus(t.ctx, admin, conversationId, 'resolved');
    await settle();
    expect((await slaRow(conversationId)).closed_at).not.toBeNull();
    expect(await t.sla.pass(Date.now() + 10 * 24 * 60 * MIN)).toEqual([]);
  });
});
