/** Registers every contact-centre route (issue 5) and starts routing and the bot. */
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.js';
import type { AgentSessions } from '../commands/agentSessions.js';
import { ContactCentreSubscriber } from '../events/contactCentreSubscriber.js';
import { teamRoutes } from './teams/teams.js';
import { cannedRoutes } from './canned/canned.js';
import { knowledgeBaseRoutes } from './knowledgeBase/knowledgeBase.js';
import { routingRoutes } from './conversations/routing.js';
import { visitorActionRoutes } from './widget/visitorActions.js';
import { attachmentRoutes } from './attachments/attachments.js';

export async function contactCentre(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): Promise<ContactCentreSubscriber> {
  teamRoutes(app, ctx, sessions);
  cannedRoutes(app, ctx, sessions);
  knowledgeBaseRoutes(app, ctx, sessions);
  routingRoutes(app, ctx, sessions);
  visitorActionRoutes(app, ctx);
  await attachmentRoutes(app, ctx, sessions);
  return new ContactCentreSubscriber(ctx);
}
