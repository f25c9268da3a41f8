/**
 * Analytics on a known data set with fixed timestamps: exact counts, medians and p90s, identical on
 * SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Agent, Tenant } from '../../storage/schema.js';
import { durationStat, percentile } from '../../queries/reportQueries.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('reports', () => {
  let t: TestParley;
  let tenant: Tenant;
  let a: Agent;
  let b: Agent;
  let s: LoggedIn;
  let n = 0;

  async function conversation(tenantId: string, opts: { at: number; replyAfter?: number; resolveAfter?: number; assignee?: Agent | null; team?: string | null; rating?: number }) {
    const db = t.ctx.storage.db;
    const id = `conv_${++n}`;
    const visitor = `vis_${n}`;
    await db.insertInto('visitors').values({ id: visitor, tenant_id: tenantId, name: null, email: null, current_page: null, user_agent: null, created_at: opts.at, last_seen_at: opts.at }).execute();
    const resolvedAt = opts.resolveAfter === undefined ? null : opts.at + opts.resolveAfter;
    await db
      .insertInto('conversations')
      .values({ id, tenant_id: tenantId, visitor_id: visitor, status: resolvedAt ? 'resolved' : 'open', assignee_id: opts.assignee?.id ?? null, created_at: opts.at, updated_at: opts.at, resolved_at: resolvedAt, team_id: opts.team ?? null })
      .execute();
    const msg = (seq: number, kind: 'visitor' | 'agent', at: number, internal = 0) => ({
      id: `msg_${n}_${seq}`, tenant_id: tenantId, conversation_id: id, seq, client_id: `c${seq}`, dedupe_key: `${kind}:${seq}`, author_kind: kind,
      author_id: kind === 'agent' ? (opts.assignee?.id ?? a.id) : visitor, author_name: 'x', body: 'hello', internal, created_at: at,
    });
    const rows = [msg(1, 'visitor', opts.at)];
    // A private note before the reply must not count as a first response.
    if (opts.replyAfter !== undefined) rows.push(msg(2, 'agent', opts.at + 5 * S, 1), msg(3, 'agent', opts.at + opts.replyAfter), msg(4, 'agent', opts.at + opts.replyAfter + 9 * S));
    await db.insertInto('messages').values(rows).execute();
    if (opts.rating !== undefined) {
      await db.insertInto('satisfaction_ratings').values({ id: `csat_${n}`, tenant_id: tenantId, conversation_id: id, visitor_id: visitor, agent_id: opts.assignee?.id ?? null, team_id: opts.team ?? null, rating: opts.rating, comment: null, created_at: (resolvedAt ?? opts.at) + S }).execute();
    }
  }

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    const admin = await makeAgent(t, tenant, 'admin');
    a = await makeAgent(t, tenant, 'agent');
    b = await makeAgent(t, tenant, 'agent');
    await t.ctx.storage.db.updateTable('agents').set({ name: 'Alice' }).where('id', '=', a.id).execute();
    await t.ctx.storage.db.updateTable('agents').set({ name: 'Bob' }).where('id', '=', b.id).execute();
    await t.ctx.storage.db.updateTable('agents').set({ name: 'Zed Admin' }).where('id', '=', admin.id).execute();
    s = await login(t, admin);
    const team = (id: string, name: string) => ({ id, tenant_id: tenant.id, name, strategy: 'round_robin' as const, is_default: 0, time_zone: 'UTC', weekly_hours: null, holidays: '[]', notify_email: null, created_at: T0 });
    await t.ctx.storage.db.insertInto('teams').values([team('team_1', 'Billing'), team('team_2', 'Returns')]).execute();
    await conversation(tenant.id, { at: T0 + 10 * MIN, replyAfter: 30 * S, resolveAfter: 600 * S, assignee: a, team: 'team_1', rating: 5 });
    await conversation(tenant.id, { at: T0 + 20 * MIN, replyAfter: 60 * S, resolveAfter: 1200 * S, assignee: a, team: 'team_1', rating: 4 });
    await conversation(tenant.id, { at: T0 + 65 * MIN, replyAfter: 90 * S, assignee: b, team: 'team_2' });
    await conversation(tenant.id, { at: T0 + 90 * MIN, replyAfter: 120 * S, resolveAfter: 1800 * S, assignee: b, team: 'team_2', rating: 2 });
    await conversation(tenant.id, { at: T0 + 26 * H });
    // Outside the period, and another tenant's data inside it: both ignored.
    await conversation(tenant.id, { at: T0 - 1, replyAfter: 1 * S, resolveAfter: 2 * S, assignee: a, rating: 1 });
    const other = await makeTenant(t);
    await conversation(other.id, { at: T0 + 15 * MIN, replyAfter: 1 * S, resolveAfter: 1 * S, rating: 1 });
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const get = async (q: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/reports?${q}`, headers: s.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const from = new Date(T0).toISOString();

  it('computes percentiles like percentile_cont', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(durationStat([120, 30, 90, 60])).toEqual({ count: 4, medianMs: 75, p90Ms: 111 });
  });

  it('reports exact volume, first response, resolution and satisfaction for a known data set', async () => {
    const r = await get(`from=${from}&to=${new Date(T0 + 27 * H).toISOString()}&bucket=hour`);
    expect(r.conversations).toBe(5);
    expect(r.volume).toHaveLength(27);
    expect(r.volume[0]).toEqual({ start: from, conversations: 2 });
    expect(r.volume[1].conversations).toBe(2);
    expect(r.volume[26]).toEqual({ start: new Date(T0 + 26 * H).toISOString(), conversations: 1 });
    expect(r.volume.reduce((sum: number, v: { conversations: number }) => sum + v.conversations, 0)).toBe(5);
    expect(r.firstResponse).toEqual({ count: 4, medianMs: 75_000, p90Ms: 111_000 });
    expect(r.resolution).toEqual({ count: 3, medianMs: 1_200_000, p90Ms: 1_680_000 });
    expect(r.satisfaction).toEqual({ count: 3, average: 3.667, positiveShare: 0.667 });

    const byName = Object.fromEntries(r.agents.map((x: { name: string }) => [x.name, x]));
    expect(byName.Alice).toMatchObject({ conversations: 2, resolved: 2, firstResponse: { count: 2, medianMs: 45_000, p90Ms: 57_000 }, resolution: { medianMs: 900_000, p90Ms: 1_140_000 }, satisfaction: { count: 2, average: 4.5 } });
    expect(byName.Bob).toMatchObject({ conversations: 2, resolved: 1, firstResponse: { medianMs: 105_000, p90Ms: 117_000 }, resolution: { count: 1, medianMs: 1_800_000, p90Ms: 1_800_000 }, satisfaction: { count: 1, average: 2 } });
    expect(byName['Zed Admin']).toMatchObject({ conversations: 0, firstResponse: { count: 0, medianMs: null } });
    expect(byName.Unassigned).toMatchObject({ id: null, conversations: 1, resolved: 0 });
    const teams = Object.fromEntries(r.teams.map((x: { name: string }) => [x.name, x]));
    expect(teams.Billing).toMatchObject({ conversations: 2, firstResponse: { medianMs: 45_000 }, satisfaction: { average: 4.5 } });
    expect(teams.Returns).toMatchObject({ conversations: 2, resolution: { medianMs: 1_800_000 } });
    expect(teams['No team']).toMatchObject({ conversations: 1 });
  });

  it('buckets by UTC day and exports CSV', async () => {
    const to = new Date(T0 + 48 * H).toISOString();
    const r = await get(`from=${from}&to=${to}&bucket=day`);
    expect(r.volume.map((v: { conversations: number }) => v.conversations)).toEqual([4, 1]);
    const csv = await t.app.inject({ method: 'GET', url: `/api/reports/export.csv?from=${from}&to=${to}&table=agents`, headers: s.headers });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="parley-agents-2024-01-01-2024-01-03.csv"/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('agent_id,name,conversations,resolved,first_response_median_s,first_response_p90_s,resolution_median_s,resolution_p90_s,satisfaction_average,satisfaction_count');
    expect(lines).toContain(`${a.id},Alice,2,2,45.0,57.0,900.0,1140.0,4.5,2`);
    const vol = await t.app.inject({ method: 'GET', url: `/api/reports/export.csv?from=${from}&to=${to}&table=volume`, headers: s.headers });
    expect(vol.body).toBe(`bucket_start,conversations\r\n${from},4\r\n${new Date(T0 + 24 * H).toISOString()},1\r\n`);
  });

  it('refuses bad periods', async () => {
    for (const q of [`from=${from}&to=${from}`, 'from=yesterday', `from=${from}&to=${new Date(T0 + 40 * 24 * H).toISOString()}&bucket=hour`]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/reports?${q}`, headers: s.headers });
      expect(res.statusCode, q).toBe(400);
    }
  });
});
