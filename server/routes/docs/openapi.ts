/**
 * @fastify/swagger configuration: OpenAPI 3.1 from the routes' own TypeBox schemas. Only /api routes
 * are published. Routes written before the API had tags get theirs from the path, and the shared
 * error answer and both ways of authenticating are added to every operation here.
 */
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { ConversationList, MessageList, SessionInfo, EmbedSnippet, WidgetConfig, WidgetSession } from '../../../protocol/http.js';
import { ConversationView, MessageView } from '../../../protocol/records.js';
import { ERROR_CODES } from '../../../protocol/errorCodes.js';

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: {} } } },
};

/** Answers of routes declared without a response schema. */
const KNOWN_RESPONSES: Record<string, unknown> = {
  'GET /api/conversations': ConversationList,
  'GET /api/conversations/search': ConversationList,
  'GET /api/conversations/:id': ConversationView,
  'GET /api/conversations/:id/messages': MessageList,
  'POST /api/conversations/:id/messages': MessageView,
  'POST /api/conversations/:id/assign': ConversationView,
  'POST /api/conversations/:id/resolve': ConversationView,
  'POST /api/conversations/:id/reopen': ConversationView,
  'POST /api/auth/login': SessionInfo,
  'GET /api/auth/me': SessionInfo,
  'GET /api/tenant/embed': EmbedSnippet,
  'GET /api/widget/config': WidgetConfig,
  'POST /api/widget/session': WidgetSession,
};

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley REST API',
        version,
        description:
          'Authenticate with a tenant API key (Authorization: Bearer pk_…, created in the console\'s Admin → API keys, scoped) or, from the console, the session cookie plus the x-csrf-token header on changes. Lists answer { items, nextCursor }: pass nextCursor as ?cursor= for the next page. Errors answer { error: { code, message } }.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'pk_… tenant API key' },
          session: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: ({ schema, url, route }) => {
      const method = String(Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase();
      const s = { ...(schema as Record<string, unknown>) } as Record<string, any>;
      if (!url.startsWith('/api/') || method === 'HEAD') return { schema: { ...s, hide: true }, url };
      const tag = url.split('/')[2]!;
      s.tags ??= [tag];
      s.summary ??= `${method} ${url}`;
      const known = KNOWN_RESPONSES[`${method} ${url}`];
      s.response = { ...(known && !s.response ? { 200: known } : {}), ...(s.response ?? {}), '4xx': { description: 'Error', ...ErrorBody }, '5xx': { description: 'Error', ...ErrorBody } };
      if (tag === 'widget' || url === '/api/auth/login' || url.startsWith('/api/invitations')) s.security = [];
      return { schema: s, url };
    },
  });
}
