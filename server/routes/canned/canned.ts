/** Canned responses: every agent reads them (the composer's /shortcuts); supervisors and admins edit. */
import type { FastifyInstance } from 'fastify';
import { CannedBody } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { deleteCannedResponse, saveCannedResponse } from '../../commands/cannedResponseEditor.js';
import { presentCannedResponse } from '../../presenters/presenters.js';
import { apiOps } from '../api/apiRoute.js';
import { editableListRoutes } from '../editableListRoutes.js';

export function cannedRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  editableListRoutes(app, apiOps(ctx, sessions), 'canned responses', '/api/canned-responses', CannedBody, {
    items: async (agent) => (await ctx.storage.db.selectFrom('canned_responses').selectAll().where('tenant_id', '=', agent.tenant_id).orderBy('shortcut').execute()).map(presentCannedResponse),
    save: (agent, id, body) => saveCannedResponse(ctx, agent, id, body),
    remove: (agent, id) => deleteCannedResponse(ctx, agent, id),
  });
}
