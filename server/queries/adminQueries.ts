/** Read models of the admin area. Every query takes the tenant id first and filters by it. */
import type {
  AgentAdminView,
  ApiKeyView,
  InvitationView,
  Page,
  PageQuery,
  SessionAdminView,
  TenantAdminView,
  TenantSettings,
  WebhookDeliveryView,
  WebhookView,
} from '../../protocol/admin.js';
import { AppError, notFound } from '../errors.js';
import {
  presentAgentAdmin,
  presentApiKey,
  presentDelivery,
  presentInvitation,
  presentSession,
  presentTenantAdmin,
  presentTenantSettings,
  presentWebhook,
} from '../presenters/adminPresenters.js';
import type { Db } from '../storage/db.js';
import { pageOf } from './pagination.js';

async function namesOf(db: Db, tenantId: string, ids: Array<string | null>): Promise<Map<string, { id: string; name: string }>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom('agents').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function listApiKeys(db: Db, tenantId: string, q: PageQuery): Promise<Page<ApiKeyView>> {
  const { rows, nextCursor } = await pageOf(db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId), q, { at: 'created_at', id: 'id' });
  const names = await namesOf(db, tenantId, rows.map((r) => r.agent_id));
  return { items: rows.map((r) => presentApiKey(r, names.get(r.agent_id) ?? null)), nextCursor };
}

export async function apiKeyView(db: Db, tenantId: string, id: string): Promise<ApiKeyView> {
  const row = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('API key');
  const names = await namesOf(db, tenantId, [row.agent_id]);
  return presentApiKey(row, names.get(row.agent_id) ?? null);
}

export async function listAgentsAdmin(db: Db, tenantId: string, q: PageQuery): Promise<Page<AgentAdminView>> {
  const { rows, nextCursor } = await pageOf(db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId), q, { at: 'created_at', id: 'id' });
  const totp = rows.length
    ? await db.selectFrom('agent_totp').select('agent_id').where('tenant_id', '=', tenantId).where('enabled_at', 'is not', null).where('agent_id', 'in', rows.map((r) => r.id)).execute()
    : [];
  const on = new Set(totp.map((r) => r.agent_id));
  return { items: rows.map((r) => presentAgentAdmin(r, on.has(r.id))), nextCursor };
}

export async function agentAdminView(db: Db, tenantId: string, id: string): Promise<AgentAdminView> {
  const row = await db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('agent');
  const totp = await db.selectFrom('agent_totp').select('agent_id').where('tenant_id', '=', tenantId).where('agent_id', '=', id).where('enabled_at', 'is not', null).executeTakeFirst();
  return presentAgentAdmin(row, !!totp);
}

export async function listInvitations(db: Db, tenantId: string, q: PageQuery): Promise<Page<InvitationView>> {
  const { rows, nextCursor } = await pageOf(db.selectFrom('invitations').selectAll().where('tenant_id', '=', tenantId), q, { at: 'created_at', id: 'id' });
  const names = await namesOf(db, tenantId, rows.map((r) => r.invited_by));
  return { items: rows.map((r) => presentInvitation(r, r.invited_by ? (names.get(r.invited_by) ?? null) : null)), nextCursor };
}

/** Live (unexpired) sessions of the tenant's agents, newest first. */
export async function listSessions(db: Db, tenantId: string, currentSessionId: string | null, q: PageQuery): Promise<Page<SessionAdminView>> {
  const base = db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).where('expires_at', '>', Date.now());
  const { rows, nextCursor } = await pageOf(base, q, { at: 'created_at', id: 'id' });
  const agents = rows.length
    ? await db.selectFrom('agents').select(['id', 'name', 'email']).where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(rows.map((r) => r.agent_id))]).execute()
    : [];
  const byId = new Map(agents.map((a) => [a.id, a]));
  return {
    items: rows.flatMap((r) => {
      const a = byId.get(r.agent_id);
      return a ? [presentSession(r, a, currentSessionId)] : [];
    }),
    nextCursor,
  };
}

export async function tenantSettings(db: Db, tenantId: string): Promise<TenantSettings> {
  const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw notFound('tenant');
  const settings = await db.selectFrom('tenant_settings').select(['language', 'prechat_fields', 'require_totp']).where('tenant_id', '=', tenantId).executeTakeFirst();
  return presentTenantSettings(tenant, settings);
}

export async function listWebhooks(db: Db, tenantId: string, q: PageQuery): Promise<Page<WebhookView>> {
  const { rows, nextCursor } = await pageOf(db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId), q, { at: 'created_at', id: 'id' });
  return { items: rows.map(presentWebhook), nextCursor };
}

export async function listDeliveries(db: Db, tenantId: string, webhookId: string, q: PageQuery): Promise<Page<WebhookDeliveryView>> {
  const hook = await db.selectFrom('webhooks').select('id').where('tenant_id', '=', tenantId).where('id', '=', webhookId).executeTakeFirst();
  if (!hook) throw notFound('webhook');
  const base = db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('webhook_id', '=', webhookId);
  const { rows, nextCursor } = await pageOf(base, q, { at: 'created_at', id: 'id' });
  return { items: rows.map(presentDelivery), nextCursor };
}

export async function isOperator(db: Db, agentId: string): Promise<boolean> {
  return !!(await db.selectFrom('platform_operators').select('agent_id').where('agent_id', '=', agentId).executeTakeFirst());
}

/** Platform operator only (not tenant-scoped by design): every tenant with its agent count. */
export async function listTenants(db: Db, q: PageQuery): Promise<Page<TenantAdminView>> {
  const { rows, nextCursor } = await pageOf(db.selectFrom('tenants').selectAll(), q, { at: 'created_at', id: 'id' });
  const counts = rows.length
    ? await db.selectFrom('agents').select((eb) => ['tenant_id', eb.fn.countAll<number>().as('n')]).where('tenant_id', 'in', rows.map((r) => r.id)).groupBy('tenant_id').execute()
    : [];
  const n = new Map(counts.map((c) => [c.tenant_id, Number(c.n)]));
  return { items: rows.map((t) => presentTenantAdmin(t, n.get(t.id) ?? 0)), nextCursor };
}

export function assertFound<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new AppError('not_found', `${what} not found`);
  return v;
}
