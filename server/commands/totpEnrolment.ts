/**
 * TOTP two-factor for agents: enrol (secret shown once, confirmed by a first code), disable (needs a
 * current code), reset by an admin, and the check at login. Codes are accepted once (last_step).
 */
import type { TotpSetup } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { newTotpSecret, openTotpSecret, otpauthUri, sealTotpSecret, verifyTotp } from '../security/totp.js';
import type { Agent } from '../storage/schema.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { totpState } from '../queries/securityQueries.js';
import { codeAttemptsOf } from '../security/codeAttempts.js';

export { totpState };

/** Starts (or restarts) enrolment: a new secret, not active until confirmTotp sees a valid code. */
export async function startTotpEnrolment(ctx: Ctx, agent: Agent, actor: AuditActor): Promise<TotpSetup> {
  const db = ctx.storage.db;
  const existing = await db.selectFrom('agent_totp').selectAll().where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).executeTakeFirst();
  if (existing?.enabled_at) throw new AppError('conflict', 'two-factor is already enabled; disable it first');
  const secret = newTotpSecret();
  const sealed = sealTotpSecret(ctx.env.secretKey, secret);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('agent_totp').where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).execute();
    await trx.insertInto('agent_totp').values({ agent_id: agent.id, tenant_id: agent.tenant_id, secret: sealed, enabled_at: null, last_step: 0, created_at: Date.now() }).execute();
    await appendAudit(trx, actor, [{ tenantId: agent.tenant_id, action: 'totp.enrolment_started', resourceType: 'agent', resourceId: agent.id }]);
  });
  const tenant = await db.selectFrom('tenants').select('name').where('id', '=', agent.tenant_id).executeTakeFirstOrThrow();
  return { secret, otpauthUri: otpauthUri(secret, agent.email, `Parley (${tenant.name})`) };
}

async function checkCode(ctx: Ctx, agent: Agent, code: string, wantEnabled: boolean): Promise<void> {
  const db = ctx.storage.db;
  const row = await db.selectFrom('agent_totp').selectAll().where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).executeTakeFirst();
  if (!row || (row.enabled_at !== null) !== wantEnabled) {
    throw new AppError('conflict', wantEnabled ? 'two-factor is not enabled' : 'start two-factor enrolment first');
  }
  const result = await verifyAndUse(ctx, agent, row, code, agent.id);
  if (result !== 'ok') throw new AppError('validation_failed', result === 'wrong' ? 'wrong or expired code' : 'code already used');
}

/**
 * Every TOTP check goes through here, and so through the one code limiter (security/codeAttempts.ts):
 * over the limit for `limitKey` it refuses (429) before looking at the code. A code is used once.
 */
async function verifyAndUse(ctx: Ctx, agent: Agent, row: { secret: string; last_step: number }, code: string, limitKey: string): Promise<'ok' | 'wrong' | 'reused'> {
  const codes = codeAttemptsOf(ctx);
  codes.assertAllowed('totp', limitKey);
  const step = verifyTotp(openTotpSecret(ctx.env.secretKey, row.secret), code, row.last_step);
  const used = step === null ? null : await ctx.storage.db.updateTable('agent_totp').set({ last_step: step }).where('agent_id', '=', agent.id).where('last_step', '<', step).executeTakeFirst();
  if (!used || used.numUpdatedRows !== 1n) {
    codes.failed('totp', limitKey);
    return used ? 'reused' : 'wrong';
  }
  codes.succeeded('totp', limitKey);
  return 'ok';
}

export async function confirmTotp(ctx: Ctx, agent: Agent, code: string, actor: AuditActor): Promise<void> {
  await checkCode(ctx, agent, code, false);
  await ctx.storage.db.transaction().execute(async (trx) => {
    await trx.updateTable('agent_totp').set({ enabled_at: Date.now() }).where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).execute();
    await appendAudit(trx, actor, [{ tenantId: agent.tenant_id, action: 'totp.enabled', resourceType: 'agent', resourceId: agent.id }]);
  });
}

export async function disableTotp(ctx: Ctx, agent: Agent, code: string, actor: AuditActor): Promise<void> {
  await checkCode(ctx, agent, code, true);
  const { tenantRequires } = await totpState(ctx.storage.db, agent);
  if (tenantRequires) throw new AppError('forbidden', 'your organisation requires two-factor; it cannot be disabled');
  await ctx.storage.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('agent_totp').where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).execute();
    await appendAudit(trx, actor, [{ tenantId: agent.tenant_id, action: 'totp.disabled', resourceType: 'agent', resourceId: agent.id }]);
  });
}

/** An admin clears another agent's two-factor (lost phone); they enrol again at next sign-in if required. */
export async function resetTotp(ctx: Ctx, admin: Agent, agentId: string, actor: AuditActor): Promise<void> {
  const db = ctx.storage.db;
  const target = assertSameTenant({ tenantId: admin.tenant_id }, await db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst(), 'agent');
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('agent_totp').where('agent_id', '=', target.id).where('tenant_id', '=', admin.tenant_id).execute();
    await appendAudit(trx, actor, [{ tenantId: admin.tenant_id, action: 'totp.reset', resourceType: 'agent', resourceId: target.id }]);
  });
}

/**
 * At login, after the password: 'ok' when no factor is enrolled or the code is right. Wrong codes
 * count per agent, or per known device of the agent (whose owner a stranger cannot lock out).
 */
export async function checkLoginTotp(ctx: Ctx, agent: Agent, code: string | undefined, knownDevice: string | null): Promise<'ok' | 'missing' | 'wrong'> {
  const db = ctx.storage.db;
  const row = await db.selectFrom('agent_totp').selectAll().where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).executeTakeFirst();
  if (!row?.enabled_at) return 'ok';
  if (!code) return 'missing';
  return (await verifyAndUse(ctx, agent, row, code, knownDevice ? `${agent.id}:${knownDevice}` : agent.id)) === 'ok' ? 'ok' : 'wrong';
}
