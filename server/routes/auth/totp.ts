/** An agent's own two-factor: status, enrolment and disabling. Session only (not API keys). */
import type { FastifyInstance } from 'fastify';
import { TotpCodeBody, TotpSetup, TotpStatus, type TotpCodeBody as CodeBody } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { confirmTotp, disableTotp, startTotpEnrolment } from '../../commands/totpEnrolment.js';
import { totpState } from '../../queries/securityQueries.js';
import { sessionOnly } from './requireAgent.js';
import { auditActorOf } from './requireAuth.js';

export function totpRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  // Allowed while enrolment is required: this is how such an agent gets in.
  const why = "change a person's own two-factor authentication";
  const preHandler = sessionOnly(sessions, ctx.env, why, { allowTotpEnrolment: true });
  const tags = ['auth'];
  app.get('/api/auth/totp', { preHandler, schema: { tags, summary: 'Two-factor state of the signed-in agent', response: { 200: TotpStatus } } }, async (req) => {
    const s = await totpState(ctx.storage.db, req.agent);
    return { enabled: s.enabled, enrolmentRequired: s.enrolmentRequired };
  });
  app.post('/api/auth/totp/setup', { preHandler, schema: { tags, summary: 'Start two-factor enrolment (secret shown once)', response: { 200: TotpSetup } } }, async (req) =>
    startTotpEnrolment(ctx, req.agent, auditActorOf(req)),
  );
  app.post('/api/auth/totp/confirm', { preHandler, schema: { tags, summary: 'Turn two-factor on with a first valid code', body: TotpCodeBody, response: { 200: TotpStatus } } }, async (req) => {
    await confirmTotp(ctx, req.agent, (req.body as CodeBody).code, auditActorOf(req));
    return { enabled: true, enrolmentRequired: false };
  });
  app.post('/api/auth/totp/disable', { preHandler: sessionOnly(sessions, ctx.env, why), schema: { tags, summary: 'Turn two-factor off (needs a current code)', body: TotpCodeBody, response: { 200: TotpStatus } } }, async (req) => {
    await disableTotp(ctx, req.agent, (req.body as CodeBody).code, auditActorOf(req));
    return { enabled: false, enrolmentRequired: false };
  });
}
