/**
 * The four routes of one of the tenant's editable lists (teams, canned responses, knowledge-base
 * articles): GET `path` lists, POST `path` creates (201), PUT `path/:id` saves, DELETE `path/:id`
 * removes (204). They are part of the REST API: a session or an API key with `content:read` /
 * `content:write`, published in OpenAPI under `tag`. Which role may change what is the commands'
 * business (they check the acting agent).
 */
import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { IdParam } from '../../protocol/contactCentre.js';
import type { Agent } from '../storage/schema.js';
import type { ApiOp } from './api/apiRoute.js';

export function editableListRoutes<S extends TSchema>(
  app: FastifyInstance,
  op: ApiOp,
  tag: string,
  path: string,
  body: S,
  list: { items: (agent: Agent) => Promise<unknown[]>; save: (agent: Agent, id: string | null, body: Static<S>) => Promise<unknown>; remove: (agent: Agent, id: string) => Promise<void> },
): void {
  type Id = { id: string };
  app.get(path, op(tag, 'content:read', { summary: `List ${tag}` }), async (req) => ({ items: await list.items(req.agent) }));
  app.post(path, op(tag, 'content:write', { summary: `Create one of ${tag}`, body, status: 201 }), async (req, reply) =>
    reply.code(201).send(await list.save(req.agent, null, req.body as Static<S>)),
  );
  app.put(`${path}/:id`, op(tag, 'content:write', { summary: `Save one of ${tag}`, params: IdParam, body }), async (req) =>
    list.save(req.agent, (req.params as Id).id, req.body as Static<S>),
  );
  app.delete(`${path}/:id`, op(tag, 'content:write', { summary: `Delete one of ${tag}`, params: IdParam, status: 204 }), async (req, reply) => {
    await list.remove(req.agent, (req.params as Id).id);
    return reply.code(204).send();
  });
}
