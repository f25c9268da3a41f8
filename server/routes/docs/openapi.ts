/**
 * @fastify/swagger configuration: the OpenAPI 3.1 contract (issue 18), generated from the routes
 * themselves — their TypeBox schemas, their preHandlers (security exactly as enforced:
 * routes/auth/authSpec.ts) and, for routes without a response schema, routes/docs/routeDocs.ts.
 * Every served path is listed (HEAD aside). Protocol schemas become named components and every
 * error answer references one `Error` response.
 */
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { ERROR_CODES } from '../../../protocol/errorCodes.js';
import { authSpecOf, type AuthSpec } from '../auth/authSpec.js';
import { ROUTE_DOCS, type RouteDoc } from './routeDocs.js';
import { SchemaNamer, normalise } from './namedSchemas.js';

type Json = Record<string, any>;

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: {}, clientId: { type: 'string' } },
    },
  },
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Fastify's `/a/:id/*` as an OpenAPI path: `/a/{id}/{path}`. The contract test maps routes the same way. */
export function specPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{path}');
}

/** `POST /api/conversations/{id}/messages` → `postConversationsByIdMessages`: stable and unique per route. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '/')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `by-${seg.slice(1, -1)}` : seg))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Root';
  return method.toLowerCase() + name;
}

function tagOf(url: string): string {
  const parts = url.split('/').filter(Boolean);
  if (parts[0] === 'api') return parts[1] ?? 'api';
  if (parts[0] === 'ws') return 'realtime';
  if (['docs', '.well-known', 'healthz', 'metrics'].includes(parts[0] ?? '')) return 'platform';
  return 'pages';
}

/** Security requirement and the words that explain it, from what the route's preHandler enforces. */
function security(spec: AuthSpec | undefined, doc: RouteDoc | undefined, method: string, opts: OpenApiOptions): { security: Json[]; extra: Json; note: string } {
  const session = SAFE.has(method) ? { session: [] } : { session: [], csrfToken: [] };
  if (spec?.kind === 'principal') {
    const scope = spec.scope;
    return {
      security: [{ apiKey: [] }, session],
      extra: { 'x-required-scopes': scope ? [scope] : [] },
      note: scope
        ? `Credentials: an API key with the \`${scope}\` scope (\`admin\` covers all), or the console session of an agent whose role grants it${SAFE.has(method) ? '' : ' (plus x-csrf-token)'}. A key never does more than its creator's current role allows.`
        : 'Credentials: any API key of the tenant, or any agent\'s console session.',
    };
  }
  if (spec?.kind === 'session') return { security: [session], extra: { 'x-session-only': true }, note: `Console session only: API keys cannot ${spec.reason} (403).` };
  if (spec?.kind === 'visitor' || doc?.security === 'visitor') return { security: [{ visitorToken: [] }], extra: {}, note: 'Credentials: the visitor token from POST /api/widget/session.' };
  if (doc?.security === 'scim') return { security: [{ scimToken: [] }], extra: {}, note: 'Credentials: the tenant\'s SCIM token (Admin → Single sign-on).' };
  if (doc?.security === 'metrics') return opts.metricsToken ? { security: [{ metricsToken: [] }], extra: {}, note: 'Credentials: `Authorization: Bearer <METRICS_TOKEN>` (this node sets METRICS_TOKEN).' } : { security: [], extra: {}, note: 'Open: this node has no METRICS_TOKEN (keep /metrics off the public network, or set one).' };
  if (doc?.security === 'agentSocket')
    return {
      security: [{ session: [] }, { apiKey: [] }],
      extra: { 'x-required-scopes': ['conversations:read'] },
      note: 'Credentials, sent with the upgrade request: the console session cookie, or an API key with `conversations:read` (sending messages, typing and receipts also need `conversations:write`; a key\'s socket is never the agent\'s presence). Without valid credentials the socket is closed with 4001; a key without the scope, with 4003.',
    };
  if (doc?.security === 'visitorOptional') return { security: [{ visitorToken: [] }, {}], extra: {}, note: 'Credentials: the visitor token when the visitor has one; none otherwise.' };
  return { security: [], extra: {}, note: '' };
}

/** Error answers every operation may give, by what it takes (input, credentials, a path id). */
function errorResponses(op: Json, path: string): Json {
  const ref = { $ref: '#/components/responses/Error' };
  // A route that documents its own error answers (SCIM's application/scim+json) keeps them.
  if (op.responses?.['4XX']) return {};
  const codes: string[] = [];
  if (op.parameters?.length || op.requestBody) codes.push('400');
  if (op.security?.some((r: Json) => Object.keys(r).length > 0)) codes.push('401', '403');
  if (path.includes('{')) codes.push('404');
  codes.push('429', '4XX', '5XX');
  return Object.fromEntries(codes.filter((c) => !op.responses?.[c]).map((c) => [c, ref]));
}

function finishDocument(doc: Json): Json {
  const namer = new SchemaNamer({ ErrorBody });
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const op of Object.values(methods)) {
      op.responses = { ...op.responses, ...errorResponses(op, path) };
      for (const r of Object.values(op.responses as Record<string, Json>)) {
        // @fastify/swagger answers "Default Response" for a route it knows nothing about: leave it
        // out, so the contract test names the route instead of accepting anything.
        if (r.description === 'Default Response' && !r.content) delete op.responses['200'];
      }
    }
  }
  doc.paths = namer.refify(normalise(doc.paths));
  const responses = { Error: { description: 'Error: `error.code` is one of ErrorCode; `clientId` names the send it refers to', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } } };
  const schemas = namer.used([doc.paths, responses]);
  nameInlineBodies(doc.paths, schemas);
  doc.components = { ...doc.components, schemas, responses };
  return doc;
}

/**
 * A structured body that is not a protocol schema (declared beside its route) still gets a name:
 * `<OperationId>Body`, `<OperationId>Response` (+ the status when not 200).
 */
function nameInlineBodies(paths: Record<string, Record<string, Json>>, schemas: Json): void {
  const structured = (s: Json | undefined) => !!s && !s.$ref && (s.type === 'object' || s.type === 'array' || Array.isArray(s.anyOf));
  const name = (op: Json, suffix: string, media: Json) => {
    const base = op.operationId[0].toUpperCase() + op.operationId.slice(1) + suffix;
    schemas[base] = media.schema;
    media.schema = { $ref: `#/components/schemas/${base}` };
  };
  for (const methods of Object.values(paths)) {
    for (const op of Object.values(methods)) {
      for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Record<string, Json>)) {
        if (structured(media.schema)) name(op, type === 'application/json' ? 'Body' : `Body${type.replace(/[^A-Za-z0-9]+/g, '_')}`, media);
      }
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        for (const media of Object.values((r.content ?? {}) as Record<string, Json>)) if (structured(media.schema)) name(op, status === '200' ? 'Response' : `Response${status}`, media);
      }
    }
  }
}

export interface OpenApiOptions {
  /** METRICS_TOKEN is set: /metrics needs it (the document states security as this node enforces it). */
  metricsToken: boolean;
}

export async function registerOpenApi(app: FastifyInstance, version: string, opts: OpenApiOptions): Promise<void> {
  await app.register(fastifySwagger, {
    convertConstToEnum: false,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley REST API',
        version,
        description:
          'Authenticate with a tenant API key (Authorization: Bearer pk_…, created in the console\'s Admin → API keys, scoped; each operation lists the scope it needs in x-required-scopes) or, from the console, the session cookie plus the x-csrf-token header on changes. Operations marked x-session-only act on an agent\'s own account and refuse keys. Widget operations take the visitor token. Lists answer { items, nextCursor }: pass nextCursor as ?cursor= for the next page. Errors answer { error: { code, message } }. The WebSockets are described by /docs/asyncapi.json.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'pk_…', description: 'A tenant API key. What it may do: its scopes intersected with its creator\'s current role, checked on every request.' },
          session: { type: 'apiKey', in: 'cookie', name: 'parley_session', description: 'The console session (POST /api/auth/login sets it).' },
          csrfToken: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: 'The csrfToken of the session (from login or GET /api/auth/me); required with the session on every change.' },
          visitorToken: { type: 'http', scheme: 'bearer', bearerFormat: 'visitor token', description: 'The token answered by POST /api/widget/session.' },
          scimToken: { type: 'http', scheme: 'bearer', bearerFormat: 'SCIM token', description: 'The tenant\'s SCIM provisioning token (POST /api/admin/sso/scim-token).' },
          ...(opts.metricsToken ? { metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN of the node (Prometheus scrape config `authorization: { credentials: … }`).' } } : {}),
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const method = String(Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase();
      const s = { ...(schema as Json) };
      if (method === 'HEAD') return { schema: { ...s, hide: true }, url };
      // @fastify/websocket hides its routes; the upgrade paths are served, so they are listed.
      if ((route as { websocket?: boolean }).websocket) delete s.hide;
      const path = specPath(url);
      const doc = ROUTE_DOCS[`${method} ${url}`];
      const auth = security(authSpecOf(route.preHandler), doc, method, opts);
      s.tags ??= [tagOf(url)];
      s.summary ??= doc?.summary ?? `${method} ${path}`;
      s.operationId ??= operationIdOf(method, path);
      const description = [s.description ?? doc?.description, auth.note].filter(Boolean).join('\n\n');
      if (description) s.description = description;
      s.security = auth.security;
      Object.assign(s, auth.extra);
      if (url.endsWith('*') && !s.params) s.params = { type: 'object', required: ['path'], properties: { path: { type: 'string', description: 'The rest of the path' } } };
      const responses = { ...(doc?.responses ?? {}), ...(s.response ?? {}) };
      if (Object.keys(responses).length) s.response = responses;
      return { schema: s, url: path };
    },
    transformObject: (documentObject) => finishDocument((documentObject as { openapiObject: Json }).openapiObject) as never,
  });
}
