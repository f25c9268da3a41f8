/**
 * The four routes of one of the tenant's editable lists (teams, canned responses, knowledge-base
 * articles): GET `path` lists, POST `path` creates (201), PUT `path/:id` saves, DELETE `path/:id`
 * removes (204). Who may do what is the commands' business.
 */
import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { IdParam } from '../../protocol/contactCentre.js';
import type { Agent } from '../storage/schema.js';
import type { requireAgent } from './auth/requireAgent.js';

export function editableListRoutes<S extends TSchema>(
  app: FastifyInstance,
  preHandler: ReturnType<typeof requireAgent>,
  path: string,
  body: S,
  list: { items: (agent: Agent) => Promise<unknown[]>; save: (agent: Agent, id: string | null, body: Static<S>) => Promise<unknown>; remove: (agent: Agent, id: string) => Promise<void> },
): void {
  type Id = { id: string };
  app.get(path, { preHandler }, async (req) => ({ items: await list.items(req.agent) }));
  app.post(path, { preHandler, schema: { body } }, async (req, reply) => reply.code(201).send(await list.save(req.agent, null, req.body as Static<S>)));
  app.put(`${path}/:id`, { preHandler, schema: { params: IdParam, body } }, async (req) => list.save(req.agent, (req.params as Id).id, req.body as Static<S>));
  app.delete(`${path}/:id`, { preHandler, schema: { params: IdParam } }, async (req, reply) => {
    await list.remove(req.agent, (req.params as Id).id);
    return reply.code(204).send();
  });
}
