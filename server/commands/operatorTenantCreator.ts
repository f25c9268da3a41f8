import type { TenantCreateBody, TenantCreated } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { validateOrigins } from '../policies/adminPolicy.js';
import { presentTenantAdmin } from '../presenters/adminPresenters.js';
import { createTenant } from './tenantCreator.js';
import { createInvitation } from './invitationCreator.js';

/** The platform operator creates a tenant and, optionally, invites its first admin. */
export async function createTenantAsOperator(ctx: Ctx, input: TenantCreateBody, actor: AuditActor): Promise<TenantCreated> {
  const db = ctx.storage.db;
  const origins = validateOrigins(input.allowedOrigins);
  if (await db.selectFrom('tenants').select('id').where('slug', '=', input.slug).executeTakeFirst()) throw new AppError('conflict', 'a tenant with this slug exists');
  const tenant = await createTenant(db, { slug: input.slug, name: input.name.trim(), allowedOrigins: origins });
  await appendAudit(db, actor, [{ tenantId: tenant.id, action: 'tenant.created', resourceType: 'tenant', resourceId: tenant.id, details: { slug: tenant.slug, name: tenant.name } }]);
  let invitationUrl: string | null = null;
  if (input.adminEmail) invitationUrl = (await createInvitation(ctx, tenant.id, null, { email: input.adminEmail, role: 'admin' }, actor)).url;
  return { tenant: presentTenantAdmin(tenant, 0), invitationUrl };
}
