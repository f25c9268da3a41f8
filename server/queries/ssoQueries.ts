/** Reading a tenant's single sign-on settings (the secret opened only for the code exchange). */
import type { SsoRoleMapping, SsoSettingsView } from '../../protocol/sso.js';
import type { Ctx } from '../context.js';
import { openField } from '../security/sealedFields.js';
import type { OidcProvider } from '../security/oidcClient.js';
import type { Db } from '../storage/db.js';
import type { TenantSso } from '../storage/ssoSchema.js';
import '../storage/ssoSchema.js';

export const ssoRedirectUri = (publicUrl: string, slug: string) => `${publicUrl}/api/auth/sso/${encodeURIComponent(slug)}/callback`;

export async function ssoRow(db: Db, tenantId: string): Promise<TenantSso | undefined> {
  return db.selectFrom('tenant_sso').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

export const breakGlassIds = (row: Pick<TenantSso, 'break_glass'> | undefined): string[] => (row ? (JSON.parse(row.break_glass) as string[]) : []);

export async function ssoSettingsView(ctx: Ctx, tenantId: string): Promise<SsoSettingsView> {
  const db = ctx.storage.db;
  const tenant = await db.selectFrom('tenants').select('slug').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const row = await ssoRow(db, tenantId);
  return {
    enabled: row?.enabled === 1,
    issuer: row?.issuer ?? '',
    clientId: row?.client_id ?? '',
    clientSecretSet: !!row?.client_secret,
    allowedDomains: row ? (JSON.parse(row.allowed_domains) as string[]) : [],
    roleClaim: row?.role_claim ?? 'groups',
    roleMapping: row ? (JSON.parse(row.role_mapping) as SsoRoleMapping) : { admin: [], supervisor: [], agent: [] },
    defaultRole: row ? row.default_role : 'agent',
    requireSso: row?.require_sso === 1,
    breakGlassAgentIds: breakGlassIds(row),
    redirectUri: ssoRedirectUri(ctx.env.publicUrl, tenant.slug),
    updatedAt: row ? new Date(row.updated_at).toISOString() : null,
  };
}

/** The provider as openid-client needs it, with the client secret opened. */
export async function oidcProviderOf(ctx: Ctx, row: TenantSso): Promise<OidcProvider> {
  const secret = row.client_secret ? await openField(ctx.keyring, row.tenant_id, 'tenant_sso', 'client_secret', row.tenant_id, row.client_secret) : null;
  return { issuer: row.issuer, clientId: row.client_id, clientSecret: secret };
}

/**
 * Where "Sign in with SSO" starts for `q`: a tenant slug, or a work email whose domain exactly one
 * SSO-enabled tenant allows (a domain claimed by several is ambiguous: the slug must be given).
 */
export async function discoverSsoTenant(db: Db, q: string): Promise<{ id: string; slug: string; name: string } | null> {
  const given = q.trim().toLowerCase();
  const enabled = db.selectFrom('tenants').innerJoin('tenant_sso', 'tenant_sso.tenant_id', 'tenants.id').select(['tenants.id', 'tenants.slug', 'tenants.name', 'tenant_sso.allowed_domains']).where('tenant_sso.enabled', '=', 1);
  if (!given.includes('@')) return (await enabled.where('tenants.slug', '=', given).executeTakeFirst()) ?? null;
  const domain = given.slice(given.lastIndexOf('@') + 1);
  // The domain list is a small JSON array: narrowed with LIKE, then matched exactly.
  const candidates = (await enabled.where('tenant_sso.allowed_domains', 'like', `%"${domain.replace(/[%_"\\]/g, '')}"%`).execute()).filter((t) => (JSON.parse(t.allowed_domains) as string[]).includes(domain));
  return candidates.length === 1 ? candidates[0]! : null;
}
