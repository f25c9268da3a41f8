/**
 * A tenant admin sets the tenant's OpenID Connect provider, allowed domains, role mapping and the
 * "require SSO" rule. The client secret is sealed under the tenant's data key and never echoed or
 * audited; enabling checks the provider's discovery document first, so a typo is an error now
 * rather than at the next login.
 */
import type { SsoSettingsBody, SsoSettingsView } from '../../protocol/sso.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { sealedVersion } from '../security/keyring.js';
import type { OidcClients } from '../security/oidcClient.js';
import { sealField } from '../security/sealedFields.js';
import { normaliseDomains, validateIssuer } from '../policies/ssoPolicy.js';
import { oidcProviderOf, ssoRow, ssoSettingsView } from '../queries/ssoQueries.js';
import { totpState } from '../queries/securityQueries.js';
import type { Agent } from '../storage/schema.js';

export async function updateSsoSettings(ctx: Ctx, clients: OidcClients, admin: Agent, body: SsoSettingsBody, actor: AuditActor): Promise<SsoSettingsView> {
  const db = ctx.storage.db;
  const tenantId = admin.tenant_id;
  const issuer = validateIssuer(body.issuer, ctx.env.ssoAllowHttpLoopback);
  const domains = normaliseDomains(body.allowedDomains);
  if (body.enabled && domains.length === 0) throw new AppError('validation_failed', 'list at least one allowed email domain');
  if (body.requireSso && !body.enabled) throw new AppError('validation_failed', 'SSO can be required only while it is enabled');
  const breakGlass = [...new Set(body.breakGlassAgentIds)];
  for (const id of breakGlass) {
    const agent = await db.selectFrom('agents').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).executeTakeFirst();
    // Same answer for another tenant's agent as for none: ids of other tenants are not confirmed.
    if (!agent) throw new AppError('validation_failed', `break-glass agent ${id} is not an active agent of this organisation`);
    if (agent.role !== 'admin') throw new AppError('validation_failed', `break-glass agent ${agent.email} must be an admin`);
    if (!(await totpState(db, agent)).enabled) throw new AppError('validation_failed', `break-glass agent ${agent.email} must have two-factor turned on`);
  }
  // Without one, an outage of the identity provider would lock every admin out.
  if (body.requireSso && breakGlass.length === 0) throw new AppError('validation_failed', 'name at least one break-glass admin (with two-factor) before requiring SSO');

  const existing = await ssoRow(db, tenantId);
  let clientSecret = existing?.client_secret ?? null;
  let keyVersion = existing?.key_version ?? 0;
  const secretChanged = body.clientSecret !== undefined;
  if (body.clientSecret !== undefined) {
    clientSecret = body.clientSecret === '' ? null : await sealField(ctx.keyring, tenantId, 'tenant_sso', 'client_secret', tenantId, body.clientSecret);
    keyVersion = clientSecret ? sealedVersion(clientSecret) : 0;
  }
  if (body.enabled) {
    const plainSecret = body.clientSecret !== undefined ? body.clientSecret || null : existing ? (await oidcProviderOf(ctx, existing)).clientSecret : null;
    try {
      await clients.configuration({ issuer, clientId: body.clientId, clientSecret: plainSecret });
    } catch (err) {
      throw new AppError('validation_failed', `could not use the provider at ${issuer}: ${(err as Error).message.slice(0, 200)}`);
    }
  }

  const row = {
    tenant_id: tenantId,
    enabled: body.enabled ? 1 : 0,
    issuer,
    client_id: body.clientId.trim(),
    client_secret: clientSecret,
    key_version: keyVersion,
    allowed_domains: JSON.stringify(domains),
    role_claim: body.roleClaim,
    role_mapping: JSON.stringify(body.roleMapping),
    default_role: body.defaultRole,
    require_sso: body.requireSso ? 1 : 0,
    break_glass: JSON.stringify(breakGlass),
    updated_at: Date.now(),
  };
  await db.transaction().execute(async (trx) => {
    if (existing) await trx.updateTable('tenant_sso').set(row).where('tenant_id', '=', tenantId).execute();
    else await trx.insertInto('tenant_sso').values(row).execute();
    await appendAudit(trx, actor, [
      {
        tenantId,
        action: 'sso.settings_updated',
        resourceType: 'tenant',
        resourceId: tenantId,
        // Never the secret: only whether it changed.
        details: { enabled: body.enabled, issuer, clientId: row.client_id, secretChanged, allowedDomains: domains, roleClaim: body.roleClaim, defaultRole: body.defaultRole, requireSso: body.requireSso, breakGlass },
      },
    ]);
  });
  return ssoSettingsView(ctx, tenantId);
}
