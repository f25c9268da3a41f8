/**
 * The pattern every REST resource follows: one scope per route, TypeBox schemas for params, query,
 * body and answer (validated and published in OpenAPI from the same objects), `{ items, nextCursor }`
 * lists. A new resource (teams, articles) is a file of `app.get(path, api.list(...), handler)` lines.
 */
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { TSchema } from 'typebox';
import type { ApiScope } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { requireAuth } from '../auth/requireAuth.js';

export interface OpSchema {
  summary: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** The success answer (200 unless `status`). */
  response?: TSchema;
  status?: number;
  /** Media type of the success answer when it is not JSON (e.g. text/csv). */
  mediaType?: string;
  description?: string;
}

export type ApiOp = (tag: string, scope: ApiScope | null, op: OpSchema) => RouteShorthandOptions;

export function apiOps(ctx: Ctx, sessions: AgentSessions): ApiOp {
  const guards = new Map<string, (req: FastifyRequest, reply: FastifyReply) => Promise<void>>();
  return (tag, scope, op) => {
    const key = scope ?? '';
    if (!guards.has(key)) guards.set(key, requireAuth(ctx, sessions, scope));
    return {
      preHandler: guards.get(key)!,
      schema: {
        tags: [tag],
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        ...(op.params ? { params: op.params } : {}),
        ...(op.querystring ? { querystring: op.querystring } : {}),
        ...(op.body ? { body: op.body } : {}),
        ...(op.response
          ? { response: { [op.status ?? 200]: op.mediaType ? { description: 'OK', content: { [op.mediaType]: { schema: op.response } } } : op.response } }
          : op.status === 204
            ? { response: { 204: { type: 'null', description: 'No content' } } }
            : {}),
      },
    } as RouteShorthandOptions;
  };
}
