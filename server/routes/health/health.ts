import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Ctx } from '../../context.js';
import type { Metrics } from '../../metrics.js';

export function healthRoutes(app: FastifyInstance, ctx: Ctx, metrics: Metrics): void {
  /** Ready only when the database answers: a load balancer takes a node without storage out of rotation. */
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(ctx.storage.db);
      return { status: 'ok', node: ctx.env.nodeId, storage: ctx.storage.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', node: ctx.env.nodeId, storage: ctx.storage.dialect });
    }
  });

  app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
}
