/**
 * Password login in a tenant that requires single sign-on: refused, except for the tenant's
 * break-glass admins (named in the SSO settings), who must be admins with two-factor on. Every
 * break-glass sign-in is an audit entry and a security incident (console banner, webhook, email to
 * the admins), so its use is never quiet.
 */
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit } from '../security/auditLog.js';
import { randomToken } from '../security/ids.js';
import { raiseIncident } from '../security/incidents.js';
import { breakGlassIds } from '../queries/ssoQueries.js';
import { totpState } from '../queries/securityQueries.js';
import type { Agent } from '../storage/schema.js';

/** Called after the password and any two-factor code were checked; throws when the tenant requires SSO. */
export async function checkPasswordLoginAllowed(ctx: Ctx, agent: Agent, ip: string): Promise<void> {
  const db = ctx.storage.db;
  const sso = await db.selectFrom('tenant_sso').select(['require_sso', 'break_glass']).where('tenant_id', '=', agent.tenant_id).executeTakeFirst();
  if (sso?.require_sso !== 1) return;
  if (!breakGlassIds(sso).includes(agent.id)) {
    throw new AppError('forbidden', 'Your organisation signs in with single sign-on: use "Sign in with SSO"', { ssoRequired: true });
  }
  if (agent.role !== 'admin' || !(await totpState(db, agent)).enabled) {
    throw new AppError('forbidden', 'A break-glass account must be an admin with two-factor turned on; sign in with SSO', { ssoRequired: true });
  }
  await appendAudit(db, { kind: 'agent', id: agent.id, credential: 'password+totp', address: ip }, [
    { tenantId: agent.tenant_id, action: 'sso.break_glass_login', resourceType: 'agent', resourceId: agent.id },
  ]);
  await raiseIncident(ctx, {
    tenantId: agent.tenant_id,
    kind: 'sso.break_glass',
    severity: 'high',
    summary: `Break-glass password sign-in by ${agent.email} while single sign-on is required`,
    details: { agentId: agent.id, address: ip },
    // One incident per use, never merged into an open one.
    fingerprint: `sso.break_glass:${agent.id}:${randomToken(12)}`,
  });
}
