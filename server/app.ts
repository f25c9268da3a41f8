/**
 * Builds one Parley node: storage, event bus, HTTP routes and realtime gateway. Tests call this
 * in-process; main.ts calls it and listens.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyWebsocket from '@fastify/websocket';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { readFileSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { join } from 'node:path';
import { LIMITS } from '../protocol/limits.js';
import type { Env } from './env.js';
import type { Ctx } from './context.js';
import { AppError, storageErrorKind, toAppError, toErrorBody } from './errors.js';
import { writerThreadEntry } from './commands/writeUnits.js';
import { openStorage, type Storage, type StorageOptions } from './storage/db.js';
import { MemoryBus } from './events/memoryBus.js';
import { RedisBus } from './events/redisBus.js';
import type { EventBus } from './events/domainEvents.js';
import { VisitorTokens } from './security/visitorTokens.js';
import { AgentSessions } from './commands/agentSessions.js';
import { Gateway } from './realtime/gateway.js';
import { countRefusal, createMetrics, type Metrics } from './metrics.js';
import { PUBLIC_DIR, ROOT } from './paths.js';
import { Mailer } from './security/mailer.js';
import { logStreamWrite, redactHttp } from './security/sinkRedaction.js';
import { Keyring } from './security/keyring.js';
import { WebhookDeliverer } from './webhooks/webhookDeliverer.js';
import { forwardToWebhooks } from './webhooks/webhookForwarder.js';
import { typeboxValidatorCompiler } from './validation.js';
import { drainRefusedBody } from './refusedBody.js';
import { PublicFiles } from './security/publicFiles.js';
import { ReleaseGuard } from './security/releaseGuard.js';
import { incidentRoutes } from './routes/incidents/incidents.js';
import { cspRoutes } from './routes/csp/csp.js';
import { registerOpenApi } from './routes/docs/openapi.js';
import { docsRoutes } from './routes/docs/docs.js';
import { apiOps } from './routes/api/apiRoute.js';
import { directoryRoutes } from './routes/api/directory.js';
import { contactRoutes } from './routes/contacts/contacts.js';
import { reportRoutes } from './routes/api/reports.js';
import { adminRoutes } from './routes/admin/admin.js';
import { operatorRoutes } from './routes/operator/operator.js';
import { totpRoutes } from './routes/auth/totp.js';
import { invitationRoutes } from './routes/auth/invitations.js';
import { ssoRoutes } from './routes/sso/sso.js';
import { productivityRoutes, SNOOZE_CHECK_MS } from './routes/productivity/productivity.js';
import { assetRoutes } from './routes/assets/assets.js';
import { authRoutes } from './routes/auth/auth.js';
import { conversationRoutes } from './routes/conversations/conversations.js';
import { healthRoutes } from './routes/health/health.js';
import { tenantRoutes } from './routes/tenant/tenant.js';
import { widgetRoutes } from './routes/widget/widget.js';
import { contactCentre } from './routes/contactCentre.js';
import type { ContactCentreSubscriber } from './events/contactCentreSubscriber.js';
import { privacyRoutes } from './routes/privacy/privacy.js';
import { startRetentionJob } from './security/dataLifecycle.js';
import { followVisitorChanges } from './queries/visitorNames.js';
import { Transparency } from './security/transparency.js';
import { tlogRoutes } from './routes/tlog/tlog.js';
import { PageMonitorJob } from './security/pageMonitorJob.js';
import { evidenceRoutes } from './routes/admin/evidence.js';
import { slaRoutes } from './routes/sla/sla.js';
import { proactiveRoutes } from './routes/proactive/proactive.js';
import { trackServiceLevels } from './commands/slaTracker.js';
import type { SlaMonitor } from './commands/slaMonitor.js';

export interface Parley {
  app: FastifyInstance;
  /** Routing and the knowledge-base bot (subscribers to domain events); `idle()` waits for their work. */
  contactCentre: ContactCentreSubscriber;
  webhooks: WebhookDeliverer;
  ctx: Ctx;
  gateway: Gateway;
  files: PublicFiles;
  releaseGuard: ReleaseGuard;
  /** Release and audit transparency logs: checkpoints, witnesses (issue 16). */
  transparency: Transparency;
  /** Tenants' payment pages checked against the release log (PAGE_MONITOR, PCI DSS 11.6.1). */
  pageMonitor: PageMonitorJob;
  /** SLA deadlines and breaches (issue 20 item 3); runs every SLA_CHECK_MS unless `slaJob: false`. */
  sla: SlaMonitor;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface BuildOptions {
  env: Env;
  logger?: Logger;
  /** Test hooks: a fresh PostgreSQL schema or SQLite file per test. */
  storage?: Partial<StorageOptions>;
  publicDir?: string;
  /** Re-verify served files on disk and raise incidents (default true; tests opt in). */
  releaseGuard?: boolean;
  /**
   * An HTTP server already listening (server/boot.ts: it answered "starting" while the database was
   * awaited): the app takes over its requests and upgrades instead of listening itself.
   */
  server?: Server;
  /** Run the audit checkpointer and witness submissions on timers (default true; tests drive them). */
  transparencyJobs?: boolean;
  /** Run the SLA job on its timer (default true; tests drive `sla.pass()`). */
  slaJob?: boolean;
}

const PARLEY_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Secrets and tokens are never logged. */
export const LOG_REDACT = ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.token'];

/** Every logger's options: secrets out by path, card numbers out of every string of every line (security/sinkRedaction.ts). */
export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: LOG_REDACT, hooks: { streamWrite: logStreamWrite } };
}

export function createLogger(env: Env): Logger {
  return pino({ ...loggerOptions(env.logLevel), base: { node: env.nodeId } });
}

export async function buildParley(opts: BuildOptions): Promise<Parley> {
  const { env } = opts;
  const log = opts.logger ?? createLogger(env);
  const storage: Storage = await openStorage({
    databaseUrl: env.databaseUrl,
    keystoreUrl: env.keystoreUrl,
    dataDir: env.dataDir,
    writerThread: writerThreadEntry,
    waitMs: env.databaseWaitSeconds * 1000,
    onWait: (attempt, delayMs, err) =>
      log.warn({ attempt, retryInMs: delayMs, err: err instanceof Error ? err.message : String(err) }, `database not reachable at boot; retrying (gives up ${env.databaseWaitSeconds} s after start: DATABASE_WAIT_SECONDS)`),
    ...opts.storage,
  });
  if (env.databaseUrl && !env.keystoreUrl) {
    log.warn(`KEYSTORE_URL is not set: tenant keys are in ${storage.keys.location} of the DATABASE_URL database, so a dump of that whole database includes them; set KEYSTORE_URL or exclude that schema from database backups (docs/SECURITY.md)`);
  }
  const keyring = new Keyring(storage, { current: env.masterKey, previous: env.masterKeyPrevious });
  // Conversation and message events are also queued for the tenant's webhooks (issue 6), their
  // payloads sealed under the tenant's key like the data they carry.
  // SLA clocks follow the events published on this node, once per event in the cluster (issue 20).
  const bus: EventBus = trackServiceLevels(forwardToWebhooks(env.redisUrl ? new RedisBus(env.redisUrl, log) : new MemoryBus(), storage.db, keyring, log), storage.db, log);
  const metrics = createMetrics(storage.threads);
  // Logged once per disk-full episode, not once per refused write (storage/storageHealth.ts).
  storage.health.onError((err) => metrics.storageErrors.inc({ kind: storageErrorKind(err) }));
  storage.health.onChange((full, cause) => {
    metrics.storageFull.set(full ? 1 : 0);
    if (!full) return log.info('storage has room again: writes resume');
    metrics.storageFullEpisodes.inc();
    log.error({ err: cause instanceof Error ? cause.message : String(cause) }, 'storage is full: writes are refused with storage_full and /healthz answers 503 until space returns');
  });
  const mailer = new Mailer(env.smtpUrl, env.mailFrom, log);
  const ctx: Ctx = { env, storage, bus, log, visitorTokens: new VisitorTokens(env.secretKey), metrics, mailer, keyring };
  followVisitorChanges(ctx);
  const webhooks = new WebhookDeliverer(ctx);
  webhooks.start();
  const stopRetention = startRetentionJob(ctx);
  // Served only if signed by a trusted release key, and re-verified on disk every RELEASE_RECHECK_MS.
  const files = new PublicFiles(opts.publicDir ?? env.publicDir ?? PUBLIC_DIR, log, env.releaseKeys, env.releaseLogOrigin);
  if (env.releaseTrust === 'dev-key') log.warn('RELEASE_PUBLIC_KEY is not set: trusting the local development release key (see docs/SECURITY.md)');
  const releaseGuard = new ReleaseGuard(ctx, files, env.releaseRecheckMs);
  const transparency = new Transparency(ctx, () => files.transparency);
  // The loader this node serves, as a page embedding it must reference it (URL and SRI).
  const servedLoader = () => {
    const version = files.loaderVersion();
    const found = files.get('widget/loader.js');
    return version && found && 'file' in found ? { loaderUrl: `${env.publicUrl}/widget/v/${version}/loader.js`, integrity: found.file.integrity } : null;
  };
  const pageMonitor = new PageMonitorJob(ctx, servedLoader);
  if (env.databaseUrl && env.auditSigningKey.source === 'file') log.warn('AUDIT_SIGNING_KEY is not set: this node signs audit checkpoints with its own key in DATA_DIR; give every node the same key (docs/SECURITY.md)');
  const sessions = new AgentSessions(ctx);

  let appHandler: RequestListener | null = null;
  /** Storage is open: the app's WebSocket plugin takes upgrades from here on; requests wait for ready (below). */
  const adopt = (server: Server, handler: RequestListener) => {
    appHandler = handler;
    server.removeAllListeners('upgrade');
    return server;
  };
  // Typed as the plain instance: routes are plain functions of FastifyInstance, whatever the logger type.
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: LIMITS.maxHttpBodyBytes,
    trustProxy: env.trustProxy,
    // Per-request lines would dominate the log at chat volumes; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    ...(opts.server ? { serverFactory: (handler: RequestListener) => adopt(opts.server!, handler) } : {}),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(typeboxValidatorCompiler);
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: LIMITS.maxFrameBytes } });
  // OpenAPI from the routes' TypeBox schemas (issue 6): registered before any route so it sees them all.
  // Response schemas document answers only; bodies are still written with JSON.stringify as before.
  await registerOpenApi(app, PARLEY_VERSION, { metricsToken: env.metricsToken !== null });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    let error: AppError;
    if (err.validation) {
      const issue = err.validation[0];
      error = new AppError('validation_failed', `${err.validationContext ?? 'request'}${issue?.instancePath ?? ''} ${issue?.message ?? 'is invalid'}`);
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      error = new AppError('payload_too_large', `body larger than ${req.routeOptions.bodyLimit ?? LIMITS.maxHttpBodyBytes} bytes`);
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      error = new AppError('bad_request', 'unsupported content type; send application/json');
    } else if (err.code?.startsWith('FST_ERR_CTP_') || (err.statusCode === 400 && !(err instanceof AppError))) {
      error = new AppError('bad_request', err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty JSON body' : 'body is not valid JSON');
    } else {
      const normalised = toAppError(err);
      if (normalised.unexpected) req.log.error({ err }, 'request failed');
      error = normalised.error;
    }
    countRefusal(metrics, error, 'http');
    await drainRefusedBody(req.raw);
    return reply.code(error.status).send(toErrorBody(error));
  });
  app.setNotFoundHandler(async (req, reply) => {
    await drainRefusedBody(req.raw);
    return reply.code(404).send(toErrorBody(new AppError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`)));
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequests.inc({ status: `${Math.floor(reply.statusCode / 100)}xx` });
    // By route pattern, never the raw URL (bounded label values); unknown URLs share one label.
    metrics.httpSeconds.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  // Card numbers out of every HTTP input and every download (security/sinkRedaction.ts).
  redactHttp(app);

  const gateway = new Gateway(ctx);
  await app.register(async (scoped) => {
    gateway.register(scoped, sessions);
  });
  healthRoutes(app, ctx, metrics);
  authRoutes(app, ctx, sessions);
  conversationRoutes(app, ctx, sessions);
  privacyRoutes(app, ctx, sessions);
  tenantRoutes(app, ctx, sessions, files);
  // Developer API, admin area, operator, two-factor, invitations and /docs (issue 6).
  const op = apiOps(ctx, sessions);
  directoryRoutes(app, ctx, op);
  contactRoutes(app, ctx, op); // contacts (issue 20)
  reportRoutes(app, ctx, op);
  adminRoutes(app, ctx, op);
  evidenceRoutes(app, ctx, op, files, transparency, pageMonitor, servedLoader);
  operatorRoutes(app, ctx, op);
  totpRoutes(app, ctx, sessions);
  invitationRoutes(app, ctx);
  ssoRoutes(app, ctx, sessions, op); // single sign-on (issue 20)
  const productivity = productivityRoutes(app, ctx, op); // labels, priority, snooze, macros, mentions, bulk (issue 20)
  const sla = slaRoutes(app, ctx, op); // service levels (issue 20)
  proactiveRoutes(app, ctx, op); // proactive messages (issue 20)
  docsRoutes(app, env);
  widgetRoutes(app, ctx, files, (tenantId) => gateway.rooms.agentsOnline(tenantId));
  assetRoutes(app, env, files);
  tlogRoutes(app, files, transparency);
  const contactCentreJobs = await contactCentre(app, ctx, sessions);
  incidentRoutes(app, ctx, sessions);
  await cspRoutes(app, ctx, sessions);
  productivity.snoozeJob.start(SNOOZE_CHECK_MS);
  if (opts.slaJob !== false) sla.start();
  if (opts.releaseGuard !== false) releaseGuard.start();
  if (opts.transparencyJobs !== false) {
    transparency.start();
    pageMonitor.start();
  }
  if (opts.server && appHandler) {
    // The boot server's "starting" answers make way for the app only once every route is in place.
    await app.ready();
    opts.server.removeAllListeners('request');
    opts.server.on('request', appHandler);
  }

  return {
    app,
    webhooks,
    ctx,
    gateway,
    files,
    releaseGuard,
    transparency,
    pageMonitor,
    sla,
    metrics,
    contactCentre: contactCentreJobs,
    async close() {
      await contactCentreJobs.close();
      await productivity.snoozeJob.stop();
      gateway.close();
      await releaseGuard.stop();
      await transparency.stop();
      await pageMonitor.stop();
      await sla.stop();
      stopRetention();
      await webhooks.stop();
      await app.close();
      // Fastify closes only a server it listened on itself.
      if (opts.server?.listening) await new Promise((resolve) => opts.server!.close(resolve));
      mailer.close();
      await bus.close();
      await storage.close();
    },
  };
}
