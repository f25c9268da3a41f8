/**
 * The OpenAPI document is a strict, complete contract (issue 18): valid OpenAPI 3.1 for a validator
 * nobody on the project wrote, an operationId and named schemas everywhere, 2020-12 schemas,
 * security as enforced, and the live check (server/testing/contractCheck.ts) catches answers that
 * break it. The typed-client check is in clients/js.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import Type from 'typebox';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { cleanupTestParley, dropSchemas, startTestParley, type TestParley } from '../../testing/testParley.js';
import { contractMismatches, contractProblem, contractStats } from '../../testing/contractCheck.js';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const operations = (spec: Json) =>
  Object.entries(spec.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

describe('OpenAPI contract', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const spec = async () => (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json() as Json;

  it('is valid OpenAPI 3.1 for an independent strict validator, with an operationId and named schemas', async () => {
    const doc = await spec();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');

    const ops = operations(doc);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of ops) {
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => /^[123]/.test(s)), `${method} ${path} documents a success`).toBe(true);
      // Errors reference the one Error answer (a route with its own error body, like /healthz's 503, states it).
      for (const s of statuses.filter((x) => /^[45]/.test(x))) expect(op.responses[s].$ref ?? Object.keys(op.responses[s].content), `${method} ${path} ${s}`).toBeTruthy();
      expect(op.responses['4XX'], `${method} ${path}`).toBeTruthy();
      if (!path.startsWith('/scim/')) expect(op.responses['4XX'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/Error' });
      // Bodies are named components, not inline copies.
      for (const [media, c] of Object.entries((op.requestBody?.content ?? {}) as Record<string, Json>)) if (media === 'application/json') expect(c.schema.$ref, `${method} ${path} body`).toMatch(/^#\/components\/schemas\//);
    }
    // Every schema compiles under JSON Schema 2020-12 in Ajv's strict mode (unknown keywords are errors).
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addKeyword('x-session-only');
    const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/'));
    expect(() => ajv.compile({ $defs: defs })).not.toThrow();
    // No draft-07 tuples (`items: [...]`) anywhere: 2020-12 wants prefixItems.
    expect(JSON.stringify(doc)).not.toMatch(/"items":\[/);
    expect(doc.paths['/api/teams'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TeamBody' });
    expect(JSON.stringify(doc.components.schemas.WeeklyHours)).toContain('prefixItems');
  });

  it('states status codes, media types, served paths and security exactly as the routes behave', async () => {
    const doc = await spec();
    const op = (path: string, method: string) => doc.paths[path]?.[method] as Json;
    expect(Object.keys(op('/api/conversations/{id}/messages', 'post').responses)).toContain('201');
    expect(Object.keys(op('/api/reports/export.csv', 'get').responses['200'].content)).toEqual(['text/csv']);
    expect(Object.keys(op('/api/admin/exposure', 'get').responses['200'].content).sort()).toEqual(['application/json', 'text/csv']);
    for (const p of ['/healthz', '/metrics', '/files/{id}/{key}', '/.well-known/parley-releases.json', '/ws/visitor', '/ws/agent', '/docs/openapi.json', '/docs', '/console/{path}', '/widget/frame/', '/api/csp/{reportKey}']) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
    expect(op('/ws/agent', 'get').responses).toHaveProperty(['101']);
    // Keys and sessions, with the scope each route checks.
    expect(op('/api/admin/exposure', 'get').security).toEqual([{ apiKey: [] }, { session: [] }]);
    expect(op('/api/admin/exposure', 'get')['x-required-scopes']).toEqual(['admin']);
    expect(op('/api/conversations/{id}/messages', 'post').security).toEqual([{ apiKey: [] }, { session: [], csrfToken: [] }]);
    expect(op('/api/conversations/{id}/messages', 'post')['x-required-scopes']).toEqual(['conversations:write']);
    // An agent's own account: session only, said so.
    expect(op('/api/auth/totp/setup', 'post').security).toEqual([{ session: [], csrfToken: [] }]);
    expect(op('/api/auth/totp/setup', 'post')['x-session-only']).toBe(true);
    expect(op('/api/auth/totp/setup', 'post').description).toMatch(/API keys cannot/);
    expect(op('/api/operator/tenants', 'get').security).toEqual([{ session: [] }]);
    // The visitor token is its own scheme; public routes say so.
    expect(op('/api/widget/rating', 'post').security).toEqual([{ visitorToken: [] }]);
    expect(op('/api/widget/session', 'post').security).toEqual([]);
    expect(doc.components.securitySchemes.visitorToken.scheme).toBe('bearer');
  });

  it('renders both documents on /docs, server-side, with no script and nothing loaded from elsewhere', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.body).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    // Every src/href stays on this origin.
    for (const m of page.body.matchAll(/\s(?:src|href)="([^"]*)"/g)) expect(m[1], m[0]).toMatch(/^(#|\/)/);
    for (const text of ['postConversationsByIdMessages', 'id="schema-ConversationView"', '<code>/ws/visitor</code>', 'href="#schema-VisitorHello"', 'id="schema-VisitorHello"', '/docs/asyncapi.json', 'console session only']) {
      expect(page.body).toContain(text);
    }
  });

  it('flags answers that break the document: an undocumented status or route, a wrong body, a wrong media type (control)', async () => {
    // Routes added to this node only, before it is ready: one documented with a schema it does not keep.
    t.app.get('/api/test-only/wrong', { schema: { response: { 200: Type.Object({ id: Type.String() }) } } }, async () => ({ id: 42 }));
    t.app.get('/api/test-only/csv', { schema: { response: { 200: Type.Object({ id: Type.String() }) } } }, async (_req, reply) => reply.header('content-type', 'text/csv').send('a,b'));
    t.app.get('/api/test-only/plain', async () => ({ ok: true }));
    const problems: string[] = [];
    t.app.addHook('onSend', async (req, reply, payload) => {
      const p = contractProblem(t.app, req, reply, payload);
      if (p) problems.push(`${p.route}: ${p.problem}`);
      return payload;
    });
    await t.app.inject({ method: 'GET', url: '/api/test-only/wrong' });
    await t.app.inject({ method: 'GET', url: '/api/test-only/csv' });
    await t.app.inject({ method: 'GET', url: '/api/test-only/plain' });
    await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(problems.find((p) => p.startsWith('GET /api/test-only/wrong'))).toMatch(/body: \/id must be string/);
    expect(problems.find((p) => p.startsWith('GET /api/test-only/csv'))).toMatch(/answered text\/csv/);
    expect(problems.find((p) => p.startsWith('GET /api/test-only/plain'))).toMatch(/status 200 is not documented/);
    expect(problems.filter((p) => p.startsWith('GET /healthz'))).toEqual([]);
    contractMismatches.length = 0; // these were on purpose
    // And the suite-wide check is really on in the SQLite run (vitest.config.ts).
    if (process.env.PARLEY_CONTRACT_CHECK === '1') expect(contractStats.checked).toBeGreaterThan(0);
  });
});
