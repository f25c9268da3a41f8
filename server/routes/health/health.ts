import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Ctx } from '../../context.js';
import type { Metrics } from '../../metrics.js';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.js';

/**
 * Readiness: 200 only when the node can do its work, so a load balancer takes a node out of
 * rotation while it cannot. 503 carries the reason: `storage_full` (a disk-full episode,
 * storage/storageHealth.ts; probed again on every call, so recovery shows at once) or
 * `database_unavailable` (the database does not answer). While a node boots and waits for its
 * database, server/boot.ts answers `starting` the same way.
 */
export function healthRoutes(app: FastifyInstance, ctx: Ctx, metrics: Metrics): void {
  app.get('/healthz', async (_req, reply) => {
    const base = { node: ctx.env.nodeId, storage: ctx.storage.dialect };
    if (ctx.storage.health.check()) return reply.code(503).send({ status: 'unavailable', reason: 'storage_full', ...base });
    try {
      await sql`select 1`.execute(ctx.storage.db);
      return { status: 'ok', ...base };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database_unavailable', ...base });
    }
  });

  // With METRICS_TOKEN set, Prometheus sends it as a bearer token (scrape config `authorization`).
  const expected = ctx.env.metricsToken === null ? null : Buffer.from(`Bearer ${ctx.env.metricsToken}`);
  app.get('/metrics', async (req, reply) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AppError('unauthorized', 'send the METRICS_TOKEN as Authorization: Bearer <token>');
    }
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
