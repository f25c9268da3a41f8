/**
 * What the widget frame calls. The frame page itself is served here with a per-tenant
 * Content-Security-Policy whose frame-ancestors are the tenant's allowed origins: the browser
 * refuses to show Parley's frame on any other site.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { FRAME_DENIED_FEATURES } from '../../../protocol/embed.js';
import { WidgetConfigQuery, WidgetSessionBody, type WidgetConfig } from '../../../protocol/http.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { startVisitorSession } from '../../commands/visitorSessionStarter.js';
import { recordVisitorContext } from '../../commands/visitorContextRecorder.js';
import { allowedOrigins, findTenantByWidgetKey } from '../../queries/tenantQueries.js';
import { tenantSettings } from '../../queries/adminQueries.js';
import type { PublicFiles } from '../../security/publicFiles.js';
import { AbuseLimits } from '../../security/abuseLimits.js';

/** tenants.redaction_patterns (validated when saved) as a list of strings; anything unreadable: none. */
function storedPatterns(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}
import { sendFile } from '../assets/assets.js';

const FRAME_PERMISSIONS = FRAME_DENIED_FEATURES.map((f) => `${f}=()`).join(', ');

const FrameQuery = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 64 }),
  host: Type.String({ minLength: 1, maxLength: 300 }),
});

export function widgetRoutes(app: FastifyInstance, ctx: Ctx, files: PublicFiles, agentsOnline: (tenantId: string) => number): void {
  const db = ctx.storage.db;
  const ws = ctx.env.publicOrigin.replace(/^http/, 'ws');

  // On every answer, before anything (the query's schema included) can refuse: the frame's powerful
  // features are off whatever the iframe's allow attribute says (an old or altered loader cannot widen
  // them), and its own requests carry no Referer.
  const frameHeaders = async (_req: unknown, reply: FastifyReply) => {
    reply.header('permissions-policy', FRAME_PERMISSIONS).header('referrer-policy', 'no-referrer');
  };
  app.get('/widget/frame/', { schema: { querystring: FrameQuery }, onRequest: frameHeaders }, async (req, reply) => {
    const { key, host } = req.query as { key: string; host: string };
    const tenant = await findTenantByWidgetKey(db, key);
    if (!tenant) throw new AppError('not_found', 'widget key not found');
    const origins = allowedOrigins(tenant);
    if (!origins.includes(host)) throw new AppError('forbidden', 'this site is not allowed to embed the widget');
    reply
      .header(
        'content-security-policy',
        [
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "img-src 'self' data:",
          `connect-src 'self' ${ws}`,
          "base-uri 'none'",
          "form-action 'none'",
          // Trusted Types: no string ever becomes script or HTML-parsed script, and no policy may be
          // created that would turn one into it (docs/SECURITY.md, "Trusted Types").
          "require-trusted-types-for 'script'",
          "trusted-types 'none'",
          `frame-ancestors ${origins.join(' ')}`,
        ].join('; '),
      );
    return sendFile(reply, files, 'widget/frame/index.html', 'revalidate');
  });

  app.get('/api/widget/config', { schema: { querystring: WidgetConfigQuery } }, async (req): Promise<WidgetConfig> => {
    const tenant = await findTenantByWidgetKey(db, (req.query as { key: string }).key);
    if (!tenant) throw new AppError('not_found', 'widget key not found');
    const settings = await tenantSettings(db, tenant.id);
    return {
      tenantName: tenant.name,
      brandColor: tenant.brand_color,
      position: tenant.position,
      greeting: tenant.greeting,
      greetings: settings.greetings,
      agentsOnline: agentsOnline(tenant.id) > 0,
      // The admin's widget settings and the tenant's redaction patterns (the frame redacts before sending).
      language: settings.language,
      prechatFields: settings.prechatFields,
      redactionPatterns: storedPatterns(tenant.redaction_patterns),
    };
  });

  // Each session is a new visitor row: per address, at most LIMITS.rate.sessionsPerAddress a minute.
  const limits = new AbuseLimits(ctx.env.rateLimits);
  app.post('/api/widget/session', { schema: { body: WidgetSessionBody } }, async (req) => {
    limits.sessionFromAddress(req.ip);
    return startVisitorSession(ctx, req.body as WidgetSessionBody, req.headers['user-agent'] ?? null, req.ip).then(async (session) => {
      // Pages seen and the shopper's claimed (verified or not) identity, for the agent's context panel.
      const body = req.body as WidgetSessionBody;
      const claim = ctx.visitorTokens.verify(session.token);
      if (claim && (body.page || body.identity || body.context)) await recordVisitorContext(ctx, claim.tenantId, session.visitorId, { page: body.page, identity: body.identity, context: body.context });
      return session;
    });
  });
}
