/**
 * The admin area of a tenant: agents and roles, invitations, sessions, widget settings and allowed
 * origins, API keys and webhooks. Admin role (or an API key with the `admin` scope). Every change is
 * a command that appends to the audit log with the acting agent, credential and address.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  AgentAdminView,
  AgentUpdateBody,
  ApiKeyCreateBody,
  ApiKeyCreated,
  ApiKeyView,
  IdParams,
  InvitationCreateBody,
  InvitationCreated,
  InvitationView,
  PageQuery,
  Paged,
  SessionAdminView,
  TenantSettings,
  TenantSettingsPatch,
  WebhookCreateBody,
  WebhookCreated,
  WebhookDeliveryView,
  WebhookView,
  type AgentUpdateBody as AgentPatch,
  type ApiKeyCreateBody as KeyBody,
  type InvitationCreateBody as InviteBody,
  type TenantSettingsPatch as SettingsPatch,
  type WebhookCreateBody as HookBody,
} from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import { createApiKey } from '../../commands/apiKeyCreator.js';
import { revokeApiKey } from '../../commands/apiKeyRevoker.js';
import { updateAgent } from '../../commands/agentUpdater.js';
import { createInvitation } from '../../commands/invitationCreator.js';
import { revokeInvitation } from '../../commands/invitationRevoker.js';
import { revokeSession } from '../../commands/sessionRevoker.js';
import { updateTenantSettings } from '../../commands/tenantSettingsUpdater.js';
import { resetTotp } from '../../commands/totpEnrolment.js';
import { createWebhook } from '../../commands/webhookCreator.js';
import { disableWebhook } from '../../commands/webhookDisabler.js';
import { replayDelivery } from '../../commands/webhookDeliveryReplayer.js';
import { listAgentsAdmin, listApiKeys, listDeliveries, listInvitations, listSessions, listWebhooks, tenantSettings } from '../../queries/adminQueries.js';
import type { ApiOp } from '../api/apiRoute.js';

const Ref = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) });

export function adminRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): void {
  const db = ctx.storage.db;
  type Q = { limit?: number; cursor?: string };
  const id = (req: { params: unknown }) => (req.params as { id: string }).id;
  const admin = (summary: string, parts: Omit<Parameters<ApiOp>[2], 'summary'> = {}) => op('admin', 'admin', { summary, ...parts });

  // ---- agents and roles
  app.get('/api/admin/agents', admin('List agents with role, state and two-factor', { querystring: PageQuery, response: Paged(AgentAdminView) }), async (req) =>
    listAgentsAdmin(db, req.principal.tenantId, req.query as Q),
  );
  app.patch('/api/admin/agents/:id', admin('Change an agent\'s role or name, or disable/enable it', { params: IdParams, body: AgentUpdateBody, response: AgentAdminView }), async (req) =>
    updateAgent(ctx, req.principal.agent, id(req), req.body as AgentPatch, req.principal.audit),
  );
  app.post('/api/admin/agents/:id/totp/reset', admin('Clear an agent\'s two-factor (lost device)', { params: IdParams, status: 204 }), async (req, reply) => {
    await resetTotp(ctx, req.principal.agent, id(req), req.principal.audit);
    return reply.code(204).send();
  });

  // ---- invitations
  app.get('/api/admin/invitations', admin('List invitations', { querystring: PageQuery, response: Paged(InvitationView) }), async (req) =>
    listInvitations(db, req.principal.tenantId, req.query as Q),
  );
  app.post('/api/admin/invitations', admin('Invite an agent (the link is shown once)', { body: InvitationCreateBody, response: InvitationCreated, status: 201 }), async (req, reply) =>
    reply.code(201).send(await createInvitation(ctx, req.principal.tenantId, req.principal.agent, req.body as InviteBody, req.principal.audit)),
  );
  app.post('/api/admin/invitations/:id/revoke', admin('Revoke a pending invitation', { params: IdParams, response: InvitationView }), async (req) =>
    revokeInvitation(ctx, req.principal.tenantId, id(req), req.principal.audit),
  );

  // ---- sessions
  app.get('/api/admin/sessions', admin('List signed-in agent sessions', { querystring: PageQuery, response: Paged(SessionAdminView) }), async (req) =>
    listSessions(db, req.principal.tenantId, req.session?.id ?? null, req.query as Q),
  );
  app.post('/api/admin/sessions/:id/revoke', admin('Sign a session out', { params: Ref, status: 204 }), async (req, reply) => {
    await revokeSession(ctx, req.principal.tenantId, id(req), req.principal.audit);
    return reply.code(204).send();
  });

  // ---- widget settings, allowed origins, two-factor rule
  app.get('/api/admin/settings', admin('Widget settings, allowed origins and two-factor rule', { response: TenantSettings }), async (req) => tenantSettings(db, req.principal.tenantId));
  app.patch('/api/admin/settings', admin('Change widget settings, allowed origins or the two-factor rule', { body: TenantSettingsPatch, response: TenantSettings }), async (req) =>
    updateTenantSettings(ctx, req.principal.agent, req.body as SettingsPatch, req.principal.audit),
  );

  // ---- API keys
  app.get('/api/admin/api-keys', admin('List API keys', { querystring: PageQuery, response: Paged(ApiKeyView) }), async (req) => listApiKeys(db, req.principal.tenantId, req.query as Q));
  app.post('/api/admin/api-keys', admin('Create an API key (the key is shown once)', { body: ApiKeyCreateBody, response: ApiKeyCreated, status: 201 }), async (req, reply) =>
    reply.code(201).send(await createApiKey(ctx, req.principal.agent, req.body as KeyBody, req.principal.audit)),
  );
  app.post('/api/admin/api-keys/:id/revoke', admin('Revoke an API key', { params: IdParams, response: ApiKeyView }), async (req) =>
    revokeApiKey(ctx, req.principal.tenantId, id(req), req.principal.audit),
  );

  // ---- webhooks
  app.get('/api/admin/webhooks', admin('List webhooks', { querystring: PageQuery, response: Paged(WebhookView) }), async (req) => listWebhooks(db, req.principal.tenantId, req.query as Q));
  app.post('/api/admin/webhooks', admin('Create a webhook (the signing secret is shown once)', { body: WebhookCreateBody, response: WebhookCreated, status: 201 }), async (req, reply) =>
    reply.code(201).send(await createWebhook(ctx, req.principal.tenantId, req.body as HookBody, req.principal.audit)),
  );
  app.post('/api/admin/webhooks/:id/disable', admin('Disable a webhook', { params: IdParams, response: WebhookView }), async (req) =>
    disableWebhook(ctx, req.principal.tenantId, id(req), req.principal.audit),
  );
  app.get('/api/admin/webhooks/:id/deliveries', admin('Delivery log of a webhook, newest first', { params: IdParams, querystring: PageQuery, response: Paged(WebhookDeliveryView) }), async (req) =>
    listDeliveries(db, req.principal.tenantId, id(req), req.query as Q),
  );
  app.post('/api/admin/webhook-deliveries/:id/replay', admin('Send a delivery again', { params: IdParams, response: WebhookDeliveryView, status: 201 }), async (req, reply) =>
    reply.code(201).send(await replayDelivery(ctx, req.principal.tenantId, id(req), req.principal.audit)),
  );
}
