/**
 * Builds one Parley node: storage, event bus, HTTP routes and realtime gateway. Tests call this
 * in-process; main.ts calls it and listens.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyWebsocket from '@fastify/websocket';
import { pino, type Logger } from 'pino';
import { LIMITS } from '../protocol/limits.js';
import type { Env } from './env.js';
import type { Ctx } from './context.js';
import { AppError, toAppError, toErrorBody } from './errors.js';
import { openStorage, type Storage, type StorageOptions } from './storage/db.js';
import { MemoryBus } from './events/memoryBus.js';
import { RedisBus } from './events/redisBus.js';
import type { EventBus } from './events/domainEvents.js';
import { VisitorTokens } from './security/visitorTokens.js';
import { AgentSessions } from './commands/agentSessions.js';
import { Gateway } from './realtime/gateway.js';
import { createMetrics, type Metrics } from './metrics.js';
import { PUBLIC_DIR } from './paths.js';
import { Mailer } from './security/mailer.js';
import { WebhookDeliverer } from './webhooks/webhookDeliverer.js';
import { typeboxValidatorCompiler } from './validation.js';
import { PublicFiles } from './routes/assets/publicFiles.js';
import { assetRoutes } from './routes/assets/assets.js';
import { authRoutes } from './routes/auth/auth.js';
import { conversationRoutes } from './routes/conversations/conversations.js';
import { healthRoutes } from './routes/health/health.js';
import { tenantRoutes } from './routes/tenant/tenant.js';
import { widgetRoutes } from './routes/widget/widget.js';

export interface Parley {
  app: FastifyInstance;
  webhooks: WebhookDeliverer;
  ctx: Ctx;
  gateway: Gateway;
  files: PublicFiles;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface BuildOptions {
  env: Env;
  logger?: Logger;
  /** Test hooks: a fresh PostgreSQL schema or SQLite file per test. */
  storage?: Partial<StorageOptions>;
  publicDir?: string;
}

/** Secrets and tokens are never logged. */
export const LOG_REDACT = ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.token'];

export function createLogger(env: Env): Logger {
  return pino({ level: env.logLevel, redact: LOG_REDACT, base: { node: env.nodeId } });
}

export async function buildParley(opts: BuildOptions): Promise<Parley> {
  const { env } = opts;
  const log = opts.logger ?? createLogger(env);
  const storage: Storage = await openStorage({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, ...opts.storage });
  const bus: EventBus = env.redisUrl ? new RedisBus(env.redisUrl, log) : new MemoryBus();
  const metrics = createMetrics();
  const mailer = new Mailer(env.smtpUrl, env.mailFrom, log);
  const ctx: Ctx = { env, storage, bus, log, visitorTokens: new VisitorTokens(env.secretKey), metrics, mailer };
  const webhooks = new WebhookDeliverer(ctx);
  webhooks.start();
  const files = new PublicFiles(opts.publicDir ?? PUBLIC_DIR, log);
  const sessions = new AgentSessions(ctx);

  // Typed as the plain instance: routes are plain functions of FastifyInstance, whatever the logger type.
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: LIMITS.maxHttpBodyBytes,
    trustProxy: env.trustProxy,
    // Per-request lines would dominate the log at chat volumes; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(typeboxValidatorCompiler);
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: LIMITS.maxFrameBytes } });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    let error: AppError;
    if (err.validation) {
      const issue = err.validation[0];
      error = new AppError('validation_failed', `${err.validationContext ?? 'request'}${issue?.instancePath ?? ''} ${issue?.message ?? 'is invalid'}`);
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      error = new AppError('payload_too_large', `body larger than ${LIMITS.maxHttpBodyBytes} bytes`);
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      error = new AppError('bad_request', 'unsupported content type; send application/json');
    } else if (err.code?.startsWith('FST_ERR_CTP_') || (err.statusCode === 400 && !(err instanceof AppError))) {
      error = new AppError('bad_request', err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty JSON body' : 'body is not valid JSON');
    } else {
      const normalised = toAppError(err);
      if (normalised.unexpected) req.log.error({ err }, 'request failed');
      error = normalised.error;
    }
    return reply.code(error.status).send(toErrorBody(error));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(toErrorBody(new AppError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`))));
  app.addHook('onResponse', async (_req, reply) => {
    metrics.httpRequests.inc({ status: `${Math.floor(reply.statusCode / 100)}xx` });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });

  const gateway = new Gateway(ctx);
  await app.register(async (scoped) => {
    gateway.register(scoped, sessions);
  });
  healthRoutes(app, ctx, metrics);
  authRoutes(app, ctx, sessions);
  conversationRoutes(app, ctx, sessions);
  tenantRoutes(app, ctx, sessions, files);
  widgetRoutes(app, ctx, files, (tenantId) => gateway.rooms.agentsOnline(tenantId));
  assetRoutes(app, env, files);

  return {
    app,
    webhooks,
    ctx,
    gateway,
    files,
    metrics,
    async close() {
      gateway.close();
      await webhooks.stop();
      await app.close();
      mailer.close();
      await bus.close();
      await storage.close();
    },
  };
}
