/** Teams (queues), agent presence and the tenant's contact-centre settings. */
import type { FastifyInstance } from 'fastify';
import { ContactSettingsBody, IdParam, PresenceBody, TeamBody, type ContactSettingsBody as SettingsBody, type PresenceBody as PresenceBodyT } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { deleteTeam, saveTeam } from '../../commands/teamEditor.js';
import { setPresence } from '../../commands/agentPresence.js';
import { saveContactSettings } from '../../commands/kbArticleEditor.js';
import { teamViews } from '../../queries/teamQueries.js';
import { presenceList } from '../../queries/presenceQueries.js';
import { contactSettings } from '../../queries/contactSettingsQueries.js';
import { sessionOnly } from '../auth/requireAgent.js';
import { principalAccessor, requireAuth } from '../auth/requireAuth.js';
import { editableListRoutes } from '../editableListRoutes.js';
import { apiOps } from '../api/apiRoute.js';
import Type from 'typebox';
import { AppError } from '../../errors.js';
import { assertAdmin } from '../../policies/contactCentrePolicy.js';
import { auditActor } from '../../security/accessAudit.js';
import { appendAudit } from '../../security/auditLog.js';

const CapacityBody = Type.Object({ maxChats: Type.Integer({ minimum: 0, maximum: 50 }) }, { additionalProperties: false });

export function teamRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const db = ctx.storage.db;
  const readAgents = requireAuth(ctx, sessions, 'agents:read');
  const admin = requireAuth(ctx, sessions, 'admin');
  type Id = { id: string };

  editableListRoutes(app, apiOps(ctx, sessions), 'teams', '/api/teams', TeamBody, {
    items: (agent) => teamViews(db, agent.tenant_id),
    save: (agent, id, body) => saveTeam(ctx, agent, id, body),
    remove: (agent, id) => deleteTeam(ctx, agent, id),
  });

  /** Every agent of the tenant with presence and load (the supervisor's view, the transfer picker). */
  app.get('/api/presence', { preHandler: readAgents }, async (req) => ({ items: await presenceList(db, req.agent.tenant_id) }));
  /** The signed-in agent chooses online/away and their capacity. */
  app.post('/api/presence', { preHandler: sessionOnly(sessions, ctx.env, "set a person's own presence (an admin key sets capacity with PUT /api/presence/{id})"), schema: { body: PresenceBody } }, async (req) => {
    await setPresence(ctx, req.agent, req.body as PresenceBodyT);
    return (await presenceList(db, req.agent.tenant_id)).find((a) => a.id === req.agent.id);
  });

  /** An admin sets another agent's capacity (the admin area's capacity table). Audited. */
  app.put('/api/presence/:id', { preHandler: admin, schema: { params: IdParam, body: CapacityBody } }, async (req) => {
    assertAdmin(req.agent, 'set agent capacity');
    const id = (req.params as Id).id;
    const target = await db.selectFrom('agents').selectAll().where('tenant_id', '=', req.agent.tenant_id).where('id', '=', id).executeTakeFirst();
    if (!target) throw new AppError('not_found', 'agent not found');
    const { maxChats } = req.body as { maxChats: number };
    await setPresence(ctx, target, { maxChats });
    await appendAudit(db, auditActor(principalAccessor(req.principal)), [{ tenantId: req.agent.tenant_id, action: 'agent.capacity_set', resourceType: 'agent', resourceId: id, details: { maxChats } }]);
    return (await presenceList(db, req.agent.tenant_id)).find((a) => a.id === id);
  });

  app.get('/api/contact-settings', { preHandler: requireAuth(ctx, sessions, 'content:read') }, async (req) => {
    const s = await contactSettings(db, req.agent.tenant_id);
    return { botEnabled: s.botEnabled, hasIdentitySecret: !!s.identitySecret };
  });
  app.post('/api/contact-settings', { preHandler: admin, schema: { body: ContactSettingsBody } }, async (req) => saveContactSettings(ctx, req.agent, req.body as SettingsBody));
}
