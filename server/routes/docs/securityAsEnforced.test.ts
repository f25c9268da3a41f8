/**
 * Security per route exactly as enforced, read from the OpenAPI document itself (issue 18 items 1
 * and 2): every operation the document lists is called — with nothing, with a tenant admin's API
 * key, with the admin's console session (with and without the CSRF header) and with keys that lack
 * or hold just the scope in `x-required-scopes` — and must answer as its `security` says. Routes
 * are enumerated from /docs/openapi.json, so a route added tomorrow is checked without being named
 * here. Inputs come from the operation's own schemas (a valid example body, path and query), so
 * validation does not answer before the credentials are checked.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { exampleOf, operations, type Op } from '../../testing/openapiExamples.js';
import { API_SCOPES } from '../../../protocol/admin.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../../testing/testParley.js';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

describe('security per route, as the OpenAPI document states it', () => {
  let t: TestParley;
  let spec: Json;
  let session: LoggedIn;
  let adminKey: string;
  beforeEach(async () => {
    t = await startTestParley();
    const tenant = await makeTenant(t);
    const admin = await makeAgent(t, tenant, 'admin');
    session = await login(t, admin);
    adminKey = await makeApiKey(t, session, ['admin']);
    spec = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json() as Json;
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);

  /** A request the operation's schemas accept: example path, query and body. */
  function requestOf({ method, path, op }: Op, headers: Record<string, string>) {
    const params = (op.parameters ?? []) as Json[];
    let url = path;
    for (const p of params.filter((x) => x.in === 'path')) url = url.replace(`{${p.name}}`, encodeURIComponent(String(exampleOf(p.schema, spec))));
    const query = new URLSearchParams();
    for (const p of params.filter((x) => x.in === 'query' && x.required)) query.set(p.name, String(exampleOf(p.schema, spec)));
    if (query.size) url += `?${query}`;
    const content = (op.requestBody?.content ?? {}) as Record<string, Json>;
    const media = Object.keys(content)[0];
    let payload: string | Buffer | undefined;
    if (media === 'application/json') {
      const body = exampleOf(content[media]!.schema, spec);
      const validate = ajv.compile(JSON.parse(JSON.stringify({ ...content[media]!.schema, $defs: spec.components.schemas }).replaceAll('"#/components/schemas/', '"#/$defs/')));
      expect(validate(body), `${method} ${path}: the example body ${JSON.stringify(body)} is not valid: ${JSON.stringify(validate.errors)}`).toBe(true);
      payload = JSON.stringify(body);
    } else if (media) {
      payload = Buffer.from(media.includes('json') ? '{}' : 'x');
    }
    return t.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(payload !== undefined ? { 'content-type': media! } : {}) }, ...(payload !== undefined ? { payload } : {}) });
  }

  /** Operations answered over HTTP by their own handler (the WebSocket upgrades and CORS preflights have other checks). */
  const httpOps = () => operations(spec).filter((o) => !o.path.startsWith('/ws/') && o.method !== 'OPTIONS');
  const schemes = (o: Op) => ((o.op.security ?? []) as Json[]).map((r) => Object.keys(r).sort().join('+'));
  const takesKey = (o: Op) => schemes(o).includes('apiKey');
  const takesSession = (o: Op) => schemes(o).some((s) => s.startsWith('session') || s === 'csrfToken+session');
  /** Logging out ends the session the other calls use: it goes last. */
  const lastLogout = (ops: Op[]) => [...ops.filter((o) => o.path !== '/api/auth/logout'), ...ops.filter((o) => o.path === '/api/auth/logout')];

  it('lists every console-session route with API keys too, unless it says it is session-only and why', () => {
    const sessionRoutes = httpOps().filter(takesSession);
    expect(sessionRoutes.length).toBeGreaterThan(40);
    for (const o of sessionRoutes) {
      const label = `${o.method} ${o.path}`;
      if (o.op['x-session-only']) {
        expect(takesKey(o), label).toBe(false);
        expect(o.op.description, label).toMatch(/API keys cannot \S/);
      } else {
        expect(takesKey(o), `${label} takes the session but not an API key`).toBe(true);
        expect(o.op['x-required-scopes'], label).toBeDefined();
      }
      // Changes need the CSRF header with the session; reads do not.
      const sessionReq = (o.op.security as Json[]).find((r) => 'session' in r)!;
      expect('csrfToken' in sessionReq, label).toBe(!['GET', 'HEAD'].includes(o.method));
    }
  });

  it('refuses every credentialed route without credentials, and answers public ones without any', async () => {
    const unexpected: string[] = [];
    for (const o of httpOps()) {
      const required = (o.op.security as Json[]).length > 0 && !(o.op.security as Json[]).some((r) => Object.keys(r).length === 0);
      const res = await requestOf(o, {});
      const label = `${o.method} ${o.path} → ${res.statusCode} ${res.body.slice(0, 160)}`;
      if (required && res.statusCode !== 401) unexpected.push(`needs credentials but answered without: ${label}`);
      if (!required && [401, 403].includes(res.statusCode) && !/Wrong email or password/.test(res.body)) unexpected.push(`documented as public but refused: ${label}`);
    }
    expect(unexpected).toEqual([]);
  });

  it('answers a tenant admin key on every key route (never "Log in first"), and session-only routes say why', async () => {
    const unexpected: string[] = [];
    let keyRoutes = 0;
    for (const o of lastLogout(httpOps().filter(takesSession))) {
      const res = await requestOf(o, { authorization: `Bearer ${adminKey}` });
      const label = `${o.method} ${o.path} → ${res.statusCode} ${res.body.slice(0, 160)}`;
      if (o.op['x-session-only']) {
        if (res.statusCode !== 403 || !/needs the console session: API keys cannot \S/.test(res.json().error?.message ?? '')) unexpected.push(`session-only route does not say why to a key: ${label}`);
      } else {
        keyRoutes++;
        if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode >= 500) unexpected.push(`admin key refused: ${label}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(keyRoutes).toBeGreaterThan(40);
  });

  it('answers the admin session on every session route, and refuses its changes without the CSRF header', async () => {
    const unexpected: string[] = [];
    for (const o of lastLogout(httpOps().filter(takesSession))) {
      if (o.path.startsWith('/api/operator/')) continue; // platform operators only (an admin of a tenant is not one): operator.test covers them
      if (!['GET', 'HEAD'].includes(o.method)) {
        const noCsrf = await requestOf(o, { cookie: session.cookie });
        if (noCsrf.statusCode !== 403 || noCsrf.json().error?.code !== 'csrf_failed') unexpected.push(`change accepted without x-csrf-token: ${o.method} ${o.path} → ${noCsrf.statusCode}`);
      }
      const res = await requestOf(o, session.headers);
      if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode >= 500) unexpected.push(`admin session refused: ${o.method} ${o.path} → ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    expect(unexpected).toEqual([]);
  });

  it('needs exactly the scope x-required-scopes names: a key without it gets 403 naming it, a key with only it gets in', async () => {
    const keyOps = httpOps().filter((o) => takesKey(o));
    const narrow = API_SCOPES.filter((s) => s !== 'admin');
    const only = new Map<string, string>();
    const allBut = new Map<string, string>();
    for (const s of narrow) {
      only.set(s, await makeApiKey(t, session, [s]));
      allBut.set(s, await makeApiKey(t, session, narrow.filter((x) => x !== s)));
    }
    // Every scope but `admin`: what an admin-only route must refuse.
    allBut.set('admin', await makeApiKey(t, session, narrow));
    const unexpected: string[] = [];
    for (const o of keyOps) {
      const scopes = o.op['x-required-scopes'] as string[];
      const label = `${o.method} ${o.path} [${scopes}]`;
      const scope = scopes[0];
      if (scope === undefined) {
        // Any key of the tenant.
        const res = await requestOf(o, { authorization: `Bearer ${only.get('content:read')}` });
        if ([401, 403].includes(res.statusCode)) unexpected.push(`any key should do: ${label} → ${res.statusCode}`);
        continue;
      }
      const without = await requestOf(o, { authorization: `Bearer ${allBut.get(scope)}` });
      if (without.statusCode !== 403 || !String(without.json().error?.message).includes(scope)) unexpected.push(`a key without ${scope} was not refused for it: ${label} → ${without.statusCode} ${without.body.slice(0, 120)}`);
      if (scope !== 'admin') {
        const withOnly = await requestOf(o, { authorization: `Bearer ${only.get(scope)}` });
        if ([401, 403].includes(withOnly.statusCode)) unexpected.push(`a key with just ${scope} was refused: ${label} → ${withOnly.statusCode} ${withOnly.body.slice(0, 120)}`);
      }
    }
    expect(unexpected).toEqual([]);
  });
});
