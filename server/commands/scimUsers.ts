/**
 * SCIM 2.0 user provisioning (RFC 7644), tenant-scoped by the SCIM token: the tenant's identity
 * provider creates agents, deactivates them (`active: false` disables the agent and signs it out
 * everywhere, through updateAgent) and deletes them. Break-glass admins are out of the provider's
 * reach, as they are for sign-in. Every change is audited with the SCIM token as the credential.
 */
import type { ScimPatchBody, ScimUserBody } from '../../protocol/sso.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { newId, randomToken } from '../security/ids.js';
import { hashToken } from '../security/apiKeys.js';
import { hashPassword } from '../security/passwords.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { breakGlassIds, ssoRow } from '../queries/ssoQueries.js';
import type { Agent } from '../storage/schema.js';
import { updateAgent } from './agentUpdater.js';

export const SCIM_TOKEN_PREFIX = 'scim_';

/** Creates (or replaces) the tenant's SCIM token; the token is returned once, only its SHA-256 is kept. */
export async function rotateScimToken(ctx: Ctx, tenantId: string, actor: AuditActor): Promise<string> {
  const token = SCIM_TOKEN_PREFIX + randomToken(32);
  await ctx.storage.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('scim_tokens').where('tenant_id', '=', tenantId).execute();
    await trx.insertInto('scim_tokens').values({ tenant_id: tenantId, token_hash: hashToken(token), created_at: Date.now() }).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'scim.token_created', resourceType: 'tenant', resourceId: tenantId }]);
  });
  return token;
}

export async function revokeScimToken(ctx: Ctx, tenantId: string, actor: AuditActor): Promise<void> {
  await ctx.storage.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('scim_tokens').where('tenant_id', '=', tenantId).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'scim.token_revoked', resourceType: 'tenant', resourceId: tenantId }]);
  });
}

/** The tenant a SCIM bearer token belongs to, or null. */
export async function scimTenant(ctx: Ctx, token: string): Promise<string | null> {
  if (!token.startsWith(SCIM_TOKEN_PREFIX) || token.length > 100) return null;
  const row = await ctx.storage.db.selectFrom('scim_tokens').select('tenant_id').where('token_hash', '=', hashToken(token)).executeTakeFirst();
  return row?.tenant_id ?? null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function scimCreateUser(ctx: Ctx, tenantId: string, body: ScimUserBody, actor: AuditActor): Promise<Agent> {
  const db = ctx.storage.db;
  const email = (body.emails?.find((e) => e.primary)?.value ?? body.userName).trim().toLowerCase();
  if (!EMAIL.test(email) || email !== body.userName.trim().toLowerCase()) throw new AppError('validation_failed', 'userName must be the user\'s email address');
  const sso = await ssoRow(db, tenantId);
  const name = (body.displayName ?? body.name?.formatted ?? [body.name?.givenName, body.name?.familyName].filter(Boolean).join(' ')).trim() || email;
  const now = Date.now();
  const agent: Agent = {
    id: newId('agt'),
    tenant_id: tenantId,
    email,
    name: name.slice(0, 100),
    // The role comes from the SSO mapping at sign-in; until then the tenant's default (or agent).
    role: sso?.default_role ?? 'agent',
    // Nobody knows this password: a provisioned agent signs in through SSO.
    password_hash: await hashPassword(randomToken(32)),
    created_at: now,
    disabled_at: body.active === false ? now : null,
  };
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('agents').values(agent).execute();
      await appendAudit(trx, actor, [{ tenantId, action: 'scim.user_created', resourceType: 'agent', resourceId: agent.id, details: { email, active: body.active !== false } }]);
    });
  } catch (err) {
    if (ctx.storage.isUniqueViolation(err)) throw new AppError('conflict', 'a user with this userName already exists');
    throw err;
  }
  return agent;
}

async function provisionable(ctx: Ctx, tenantId: string, agentId: string): Promise<Agent> {
  const db = ctx.storage.db;
  const agent = assertSameTenant({ tenantId }, await db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst(), 'user');
  if (breakGlassIds(await ssoRow(db, tenantId)).includes(agent.id)) throw new AppError('forbidden', 'break-glass admins are managed in Parley, not by the identity provider');
  return agent;
}

/** The `active` and `displayName` a PATCH asks for (`replace`/`add`, with a path or as a value object). */
export function scimPatchChanges(body: ScimPatchBody): { active?: boolean; name?: string } {
  const out: { active?: boolean; name?: string } = {};
  for (const op of body.Operations) {
    if (!['replace', 'add'].includes(op.op.toLowerCase())) throw new AppError('validation_failed', `operation ${op.op} is not supported`);
    const values: Record<string, unknown> = op.path ? { [op.path]: op.value } : typeof op.value === 'object' && op.value !== null ? (op.value as Record<string, unknown>) : {};
    for (const [path, value] of Object.entries(values)) {
      // Some providers send booleans as strings ("False").
      if (path === 'active') out.active = value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
      else if (path === 'displayName' && typeof value === 'string' && value.trim()) out.name = value.trim().slice(0, 100);
      else throw new AppError('validation_failed', `attribute ${path} cannot be changed`);
    }
  }
  return out;
}

export async function scimPatchUser(ctx: Ctx, tenantId: string, agentId: string, body: ScimPatchBody, actor: AuditActor): Promise<void> {
  await provisionable(ctx, tenantId, agentId);
  const changes = scimPatchChanges(body);
  await updateAgent(ctx, { tenant_id: tenantId }, agentId, { ...(changes.active !== undefined ? { disabled: !changes.active } : {}), ...(changes.name ? { name: changes.name } : {}) }, actor);
}

/** Deletes the agent (sessions, keys and links go with it; conversations keep their history). */
export async function scimDeleteUser(ctx: Ctx, tenantId: string, agentId: string, actor: AuditActor): Promise<void> {
  const agent = await provisionable(ctx, tenantId, agentId);
  const db = ctx.storage.db;
  await db.transaction().execute(async (trx) => {
    if (agent.role === 'admin' && agent.disabled_at === null) {
      const admins = await trx.selectFrom('agents').select('id').where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
      if (admins.length <= 1) throw new AppError('conflict', 'a tenant needs at least one enabled admin');
    }
    await trx.deleteFrom('agents').where('id', '=', agent.id).where('tenant_id', '=', tenantId).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'scim.user_deleted', resourceType: 'agent', resourceId: agent.id, details: { email: agent.email } }]);
  });
}
