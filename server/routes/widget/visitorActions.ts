/**
 * What the widget frame calls besides the chat socket: availability (live chat or "leave a
 * message"), the offline message, the satisfaction rating and the transcript. Visitor calls carry
 * the visitor token as `Authorization: Bearer <token>` (never a cookie: the frame is third-party).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { OfflineMessageBody, PageContextBody, RatingBody, TranscriptBody, type OfflineMessageBody as OfflineBodyT, type RatingBody as RatingBodyT, type TranscriptBody as TranscriptBodyT } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { recordVisitorContext } from '../../commands/visitorContextRecorder.js';
import { takeOfflineMessage } from '../../commands/offlineMessageTaker.js';
import { rateConversation } from '../../commands/satisfactionRater.js';
import { sendTranscript } from '../../commands/transcriptSender.js';
import { widgetAvailability } from '../../queries/availabilityQueries.js';
import { findTenantByWidgetKey } from '../../queries/tenantQueries.js';

const KeyQuery = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export function visitorFromRequest(ctx: Ctx, req: FastifyRequest): { tenantId: string; visitorId: string } {
  const auth = req.headers.authorization;
  const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const claim = token ? ctx.visitorTokens.verify(token) : null;
  if (!claim) throw new AppError('unauthorized', 'send the visitor token as Authorization: Bearer <token>');
  return claim;
}

export function visitorActionRoutes(app: FastifyInstance, ctx: Ctx): void {
  const db = ctx.storage.db;

  app.get('/api/widget/availability', { schema: { querystring: KeyQuery } }, async (req) => {
    const tenant = await findTenantByWidgetKey(db, (req.query as { key: string }).key);
    if (!tenant) throw new AppError('not_found', 'widget key not found');
    return widgetAvailability(db, tenant.id);
  });

  app.post('/api/widget/offline-message', { schema: { body: OfflineMessageBody } }, async (req, reply) => {
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const result = await takeOfflineMessage(ctx, req.body as OfflineBodyT, { token, userAgent: req.headers['user-agent'] ?? null });
    return reply.code(201).send(result);
  });

  // The tenant's page said where the shopper is now (a single-page shop moved on during the chat).
  app.post('/api/widget/context', { schema: { body: PageContextBody } }, async (req, reply) => {
    const visitor = visitorFromRequest(ctx, req);
    const known = await db.selectFrom('visitors').select('id').where('tenant_id', '=', visitor.tenantId).where('id', '=', visitor.visitorId).executeTakeFirst();
    if (!known) throw new AppError('not_found', 'visitor not found');
    await recordVisitorContext(ctx, visitor.tenantId, visitor.visitorId, { context: (req.body as PageContextBody).context });
    return reply.code(204).send();
  });

  app.post('/api/widget/rating', { schema: { body: RatingBody } }, async (req) => rateConversation(ctx, visitorFromRequest(ctx, req), req.body as RatingBodyT));

  app.post('/api/widget/transcript', { schema: { body: TranscriptBody } }, async (req) => sendTranscript(ctx, { ...visitorFromRequest(ctx, req), address: req.ip }, req.body as TranscriptBodyT));
}
