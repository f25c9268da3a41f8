/**
 * The access audit as enforced, for the whole class of routes (docs/SECURITY.md, *Access audit*):
 * every operation of /docs/openapi.json is called on a tenant holding a customer whose every piece of
 * personal data carries a unique marker word (testing/auditSeed.ts). Whether a response carries
 * conversation, visitor or contact data is decided from the response itself (a marker in it), not
 * from a list of routes, so a route added tomorrow that returns such data without recording it fails
 * here without being named. Each such call must have added, before it answered, an audit entry
 * naming the customer's conversation / visitor (by the calling credential), and the exposure report
 * for that credential must list them. Operations whose answer carries none of it must be named, with
 * the reason, in NO_PERSONAL_DATA: a route that silently stops returning data (a 404 from an id the
 * test could not resolve) fails instead of passing unseen.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleOf, operations, type Op } from '../../testing/openapiExamples.js';
import { seedCustomer, type Customer, type MarkerKind, type SeedCtx } from '../../testing/auditSeed.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Agent, AuditEntry, Tenant } from '../../storage/schema.js';
import { smtpSinkForSuite } from '../../testing/smtpSink.js';

type Json = Record<string, any>;
type Entry = AuditEntry;

/**
 * Operations whose successful answer holds no conversation, message, visitor or contact data of the
 * tenant (checked: if one ever does, the marker check below applies to it anyway and it fails unless
 * audited). `METHOD path`; the reason is the comment above each group.
 */
const NO_PERSONAL_DATA = new Set<string>([
  // Public, static or platform answers (no tenant data; the widget's session and config are the
  // visitor's own start; sign-in, invitations and single sign-on are agents').
  ...['GET /healthz', 'GET /metrics', 'GET /docs/openapi.json', 'GET /docs/asyncapi.json', 'GET /docs', 'GET /docs/docs.css', 'GET /', 'GET /console', 'GET /console/assets/{path}', 'GET /console/{path}'],
  ...['GET /widget/frame/', 'GET /widget/frame/assets/{path}', 'GET /widget/v/{version}/loader.js', 'GET /api/widget/config', 'GET /api/widget/availability', 'POST /api/widget/session', 'POST /api/csp/{reportKey}'],
  ...['GET /.well-known/parley-releases.json', 'GET /tlog/releases/checkpoint', 'GET /tlog/releases/current.tlog-proof', 'GET /tlog/releases/loader', 'GET /tlog/releases/tile/{path}', 'GET /tlog/audit/checkpoint'],
  ...['POST /api/auth/login', 'GET /api/invitations', 'POST /api/invitations/accept', 'GET /api/auth/sso/discover', 'GET /api/auth/sso/{tenant}/start', 'GET /api/auth/sso/{tenant}/callback'],
  // The caller's own account, and the tenant's configuration: agents, keys, sessions, settings,
  // single sign-on and SCIM, teams, presence, content (canned replies, articles, labels, macros, SLA
  // policies, proactive rules), webhooks (deliveries list event type and status, never a payload),
  // the embed snippet, security pages (incidents, CSP reports and destinations, the PCI evidence
  // pack: about the tenant's pages and scripts, not its visitors).
  ...['GET /api/auth/me', 'POST /api/auth/logout', 'GET /api/auth/totp', 'POST /api/auth/totp/setup', 'POST /api/auth/totp/confirm', 'POST /api/auth/totp/disable'],
  ...['GET /api/agents', 'GET /api/admin/agents', 'PATCH /api/admin/agents/{id}', 'POST /api/admin/agents/{id}/totp/reset', 'GET /api/admin/invitations', 'POST /api/admin/invitations', 'POST /api/admin/invitations/{id}/revoke'],
  ...['GET /api/admin/sessions', 'POST /api/admin/sessions/{id}/revoke', 'GET /api/admin/api-keys', 'POST /api/admin/api-keys', 'POST /api/admin/api-keys/{id}/revoke', 'GET /api/admin/settings', 'PATCH /api/admin/settings'],
  ...['GET /api/admin/privacy', 'PUT /api/admin/privacy', 'GET /api/admin/sso', 'PUT /api/admin/sso', 'POST /api/admin/sso/scim-token', 'DELETE /api/admin/sso/scim-token'],
  ...['GET /scim/v2/Users', 'POST /scim/v2/Users', 'GET /scim/v2/Users/{id}', 'PATCH /scim/v2/Users/{id}', 'DELETE /scim/v2/Users/{id}', 'GET /api/operator/tenants', 'POST /api/operator/tenants'],
  ...['GET /api/teams', 'POST /api/teams', 'PUT /api/teams/{id}', 'DELETE /api/teams/{id}', 'GET /api/presence', 'POST /api/presence', 'PUT /api/presence/{id}', 'GET /api/contact-settings', 'POST /api/contact-settings'],
  ...['GET /api/canned-responses', 'POST /api/canned-responses', 'PUT /api/canned-responses/{id}', 'DELETE /api/canned-responses/{id}', 'GET /api/kb/articles', 'POST /api/kb/articles', 'PUT /api/kb/articles/{id}', 'DELETE /api/kb/articles/{id}'],
  ...['GET /api/labels', 'POST /api/labels', 'PUT /api/labels/{id}', 'DELETE /api/labels/{id}', 'GET /api/macros', 'POST /api/macros', 'PUT /api/macros/{id}', 'DELETE /api/macros/{id}'],
  ...['GET /api/sla-policies', 'POST /api/sla-policies', 'PUT /api/sla-policies/{id}', 'DELETE /api/sla-policies/{id}', 'GET /api/proactive-rules', 'POST /api/proactive-rules', 'PUT /api/proactive-rules/{id}', 'DELETE /api/proactive-rules/{id}'],
  ...['GET /api/admin/webhooks', 'POST /api/admin/webhooks', 'POST /api/admin/webhooks/{id}/disable', 'GET /api/admin/webhooks/{id}/deliveries', 'POST /api/admin/webhook-deliveries/{id}/replay'],
  ...['GET /api/tenant/embed', 'GET /api/incidents', 'GET /api/tenant/csp', 'GET /api/csp/destinations', 'GET /api/csp/reports', 'GET /api/admin/evidence'],
  // Aggregates: counts and durations per period, agent, team, label, SLA policy or proactive rule;
  // the CSVs are the same tables (no visitor name, email, message or conversation id).
  ...['GET /api/reports', 'GET /api/reports/export.csv', 'GET /api/reports/labels', 'GET /api/reports/labels.csv', 'GET /api/reports/sla', 'GET /api/reports/sla.csv', 'GET /api/reports/proactive', 'GET /api/reports/proactive.csv'],
  // Ids and clocks without content: the caller's mentions (conversation and message ids, the
  // colleague who wrote; recorded all the same as mention.list) and the open conversations' SLA
  // deadlines (the inbox countdowns).
  ...['GET /api/mentions', 'POST /api/mentions/{id}/read', 'GET /api/sla/conversations'],
  // Answer with only what the caller itself sent (recorded all the same as a change where it
  // touches a conversation or contact): an agent's message, note or file; the visitor's own file
  // (the example bytes are refused), page context, rating, offline message, proactive events.
  ...['POST /api/conversations/{id}/messages', 'POST /api/contacts/{id}/notes', 'POST /api/attachments'],
  ...['POST /api/widget/attachments', 'POST /api/widget/context', 'POST /api/widget/rating', 'POST /api/widget/offline-message', 'POST /api/widget/proactive', 'POST /api/widget/proactive/events'],
  // Erasure answers 204 (recorded before it runs as visitor.erase / contact.erase).
  ...['DELETE /api/visitors/{id}', 'DELETE /api/contacts/{id}'],
]);

describe('every answer carrying personal data is in the access audit, as enforced', () => {
  let t: TestParley;
  let tenant: Tenant;
  let spec: Json;
  let adminAgent: Agent;
  let colleagueAgent: Agent;
  let admin: LoggedIn;
  let seed: SeedCtx;
  let key: { token: string; id: string };
  let scratchLabelId: string;
  let macroId: string;
  const smtp = smtpSinkForSuite(); // the transcript route emails a conversation: it must answer

  beforeEach(async () => {
    // Rate limits off: one customer is seeded per operation, each with its own widget sessions.
    t = await startTestParley({ env: { RATE_LIMITS: 'off', SMTP_URL: smtp.url } });
    tenant = await makeTenant(t);
    adminAgent = await makeAgent(t, tenant, 'admin');
    colleagueAgent = await makeAgent(t, tenant, 'agent');
    admin = await login(t, adminAgent);
    const colleague = await login(t, await makeAgent(t, tenant, 'agent'));
    const post = async (url: string, payload: unknown) => {
      const res = await t.app.inject({ method: 'POST', url, headers: admin.headers, payload: payload as object });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
      return res.json() as Json;
    };
    const created = await post('/api/admin/api-keys', { name: 'audit sweep', scopes: ['admin'] });
    key = { token: created.token, id: created.apiKey.id };
    const labelId = (await post('/api/labels', { name: 'seeded' })).id as string;
    scratchLabelId = (await post('/api/labels', { name: 'scratch' })).id as string;
    macroId = (await post('/api/macros', { name: 'm', actions: [{ type: 'priority', priority: 'high' }] })).id as string;
    const secret = await t.app.inject({ method: 'POST', url: '/api/contact-settings', headers: admin.headers, payload: { rotateIdentitySecret: true } });
    seed = { t, tenant, mentioned: adminAgent, colleague, labelId, identitySecret: secret.json().identitySecret as string };
    spec = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json() as Json;
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  /** The seeded id a path or body field names, by where it sits; undefined when the test has none. */
  function idFor(name: string, path: string, c: Customer): string | string[] | undefined {
    if (name === 'labelId') return scratchLabelId;
    if (name === 'macroId') return macroId;
    if (name === 'key') return c.attachmentKey;
    if (name === 'conversationId') return c.conversationId;
    if (name === 'agentId') return colleagueAgent.id;
    // A merge moves the other (unverified) customer into this one: a verified contact cannot be merged away.
    if (path.endsWith('/merge')) return name === 'into' ? c.contactId : name === 'id' ? c.otherContactId : undefined;
    if (name === 'ids') return [c.conversationId];
    if (name !== 'id') return undefined;
    const collection = path.slice(0, path.indexOf('/{id}'));
    const byCollection: Record<string, string> = {
      '/api/conversations': c.conversationId,
      '/api/visitors': c.visitorId,
      '/api/contacts': c.contactId,
      '/api/mentions': c.mentionId,
      '/files': c.attachmentId,
      '/api/labels': scratchLabelId,
      '/api/macros': macroId,
      '/api/admin/agents': colleagueAgent.id,
      '/api/presence': colleagueAgent.id,
    };
    return byCollection[collection];
  }

  /** Replaces the example's id fields (at any depth) with the seeded ids they name. */
  function withIds(value: unknown, path: string, c: Customer): unknown {
    if (Array.isArray(value)) return value.map((v) => withIds(v, path, c));
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, idFor(k, path, c) ?? withIds(v, path, c)]));
  }

  function call({ method, path, op }: Op, c: Customer, headers: Record<string, string>, since: number) {
    const params = (op.parameters ?? []) as Json[];
    let url = path;
    for (const p of params.filter((x) => x.in === 'path')) url = url.replace(`{${p.name}}`, encodeURIComponent(String(idFor(p.name, path, c) ?? exampleOf(p.schema, spec))));
    const query = new URLSearchParams();
    for (const p of params.filter((x) => x.in === 'query')) {
      // Required ones from the schema; a required search looks for the customer's words (an optional
      // one is left out: the whole list is the wider answer); an id names the customer's.
      const value = p.name === 'q' ? (p.required ? [...c.markers.keys()].find((m) => m.startsWith('zqmsg')) : undefined) : idFor(p.name, path, c);
      if (value !== undefined) query.set(p.name, String(value));
      else if (p.required) query.set(p.name, String(exampleOf(p.schema, spec)));
    }
    // The exposure report needs a criterion: the accesses since this customer was seeded (the colleague's).
    if (path === '/api/admin/exposure') query.set('from', String(since));
    if (query.size) url += `?${query}`;
    const content = (op.requestBody?.content ?? {}) as Record<string, Json>;
    const media = Object.keys(content)[0];
    let payload: string | Buffer | undefined;
    if (media === 'application/json') payload = JSON.stringify(withIds(exampleOf(content[media]!.schema, spec), path, c));
    else if (media) payload = Buffer.from(media.includes('json') ? '{}' : 'x');
    return t.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(payload !== undefined ? { 'content-type': media! } : {}) }, ...(payload !== undefined ? { payload } : {}) });
  }

  const schemes = (o: Op) => ((o.op.security ?? []) as Json[]).map((r) => Object.keys(r).sort().join('+'));
  /**
   * Reads first, changes next, deletions last (they remove what later calls would read; a label off
   * a conversation before the label itself), logout at the very end.
   */
  const rank = (o: Op) => (o.path === '/api/auth/logout' ? 40 : o.method === 'GET' ? 0 : o.method === 'DELETE' ? 30 - o.path.split('{').length : 10);

  /** The kinds of the customer's data found in an answer (a served file of theirs counts as their conversation's). */
  function exposedIn(body: string, url: string, status: number, c: Customer): Set<MarkerKind> {
    const kinds = new Set<MarkerKind>();
    for (const [marker, kind] of c.markers) if (body.includes(marker)) kinds.add(kind);
    if (status < 300 && url.includes(`/files/${c.attachmentId}/`)) kinds.add('conversation');
    return kinds;
  }

  it('records, before answering, every operation whose answer carries a customer\'s data, and the exposure report lists it', async () => {
    const problems: string[] = [];
    const carrying: string[] = [];
    const silent: string[] = [];
    const answers: string[] = [];
    const ops = operations(spec)
      .filter((o) => !o.path.startsWith('/ws/') && o.method !== 'OPTIONS')
      .sort((a, b) => rank(a) - rank(b));
    for (const o of ops) {
      const label = `${o.method} ${o.path}`;
      const s = schemes(o);
      // An API key where the route takes one; the console session where only it is accepted; the
      // widget's routes as the customer's *other* device (another browser reaching their data);
      // nothing on public routes (a customer's data there would be a leak, caught below all the same).
      const as = s.includes('apiKey') ? 'key' : s.some((x) => x.startsWith('csrfToken') || x.startsWith('session')) ? 'session' : s.includes('visitorToken') ? 'visitor' : 'none';
      const since = Date.now();
      const c = await seedCustomer(seed).catch((e: Error) => {
        throw new Error(`seeding after the operations before ${label}: ${e.message}`);
      });
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
      const headers = as === 'key' ? bearer(key.token) : as === 'session' ? admin.headers : as === 'visitor' ? bearer(c.device.token) : {};
      const before = await lastSeq();
      const res = await call(o, c, headers, since);
      const kinds = exposedIn(res.body, res.raw.req.url ?? '', res.statusCode, c);
      if (kinds.size === 0) {
        silent.push(label);
        answers.push(`${label} → ${res.statusCode}`);
        continue;
      }
      carrying.push(`${label} [${[...kinds]}]`);
      if (as === 'none' && !o.path.startsWith('/files/')) problems.push(`${label}: a public route answered a customer's data`);
      const entries = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('seq', '>', before).execute();
      const byCaller = {
        key: (e: Entry) => e.credential === `key:${key.id}`,
        session: (e: Entry) => e.credential?.startsWith('session:') === true && e.actor_id === adminAgent.id,
        visitor: (e: Entry) => e.actor_kind === 'visitor' && e.actor_id === c.device.visitorId,
        none: (e: Entry) => e.credential === `link:${c.attachmentId}`,
      }[as];
      const mine = entries.filter(byCaller);
      const names = (e: Entry, kind: MarkerKind) =>
        kind === 'conversation' ? e.conversation_id === c.conversationId : kind === 'visitor' ? e.visitor_id === c.visitorId : e.visitor_id === c.visitorId && ['contact_note', 'contact'].includes(e.resource_type ?? '');
      const missing = [...kinds].filter((k) => !mine.some((e) => names(e, k)));
      if (missing.length) {
        problems.push(`${label} → ${res.statusCode}: answered ${missing.join(', ')} data without an audit entry naming it (entries: ${JSON.stringify(entries.map((e) => [e.action, e.credential, e.conversation_id, e.visitor_id]))})`);
        continue;
      }
      const credential = mine[0]!.credential!;
      const report = await t.app.inject({ method: 'GET', url: `/api/admin/exposure?${new URLSearchParams({ credential, from: String(since) })}`, headers: admin.headers });
      const visitors = ((report.json().tenants?.[0]?.visitors ?? []) as Json[]).filter((v) => v.visitorId === c.visitorId);
      const listsConversation = visitors.some((v) => (v.conversations as Json[]).some((x) => x.conversationId === c.conversationId));
      if (visitors.length === 0 || (kinds.has('conversation') && !listsConversation)) problems.push(`${label}: the exposure report for ${credential} does not list the customer${kinds.has('conversation') ? "'s conversation" : ''}`);
    }
    console.log(`carrying personal data (${carrying.length}):\n  ${carrying.join('\n  ')}\nnone (${silent.length}):\n  ${answers.join('\n  ')}`);
    expect(problems).toEqual([]);
    expect(carrying.length).toBeGreaterThan(15);
    // Every operation that answered none of the customer's data is one the allow-list names, and the list names no stale route.
    expect(silent.filter((l) => !NO_PERSONAL_DATA.has(l))).toEqual([]);
    expect([...NO_PERSONAL_DATA].filter((l) => !silent.includes(l))).toEqual([]);
  }, 480_000);

  const lastSeq = async () => Number((await t.ctx.storage.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst())?.seq ?? 0);
});
