import type { TenantSettings, TenantSettingsPatch } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { validateOrigins } from '../policies/adminPolicy.js';
import { DEFAULT_PRECHAT, parseGreetings } from '../presenters/adminPresenters.js';
import { tenantSettings } from '../queries/adminQueries.js';
import { totpState } from '../queries/securityQueries.js';
import type { Agent } from '../storage/schema.js';

/** Widget settings, allowed origins and the two-factor rule, changed together or one at a time. */
export async function updateTenantSettings(ctx: Ctx, admin: Agent, patch: TenantSettingsPatch, actor: AuditActor): Promise<TenantSettings> {
  const db = ctx.storage.db;
  const tenantId = admin.tenant_id;
  // Requiring two-factor while not using it would leave the admin able to do nothing but enrol.
  if (patch.requireTotp === true && !(await totpState(db, admin)).enabled) {
    throw new AppError('conflict', 'turn on two-factor for your own account before requiring it for everyone');
  }
  const origins = patch.allowedOrigins === undefined ? undefined : validateOrigins(patch.allowedOrigins);
  if (patch.prechatFields) {
    const names = patch.prechatFields.map((f) => f.field);
    if (new Set(names).size !== names.length) throw new AppError('validation_failed', 'each pre-chat field may appear once');
  }
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    let greetings: string | undefined;
    if (patch.greetings !== undefined) {
      // Per language: a text replaces that language's greeting, an empty one removes it, the others stay.
      const row = await trx.selectFrom('tenants').select('greetings').where('id', '=', tenantId).executeTakeFirstOrThrow();
      const merged = parseGreetings(row.greetings);
      for (const [l, text] of Object.entries(patch.greetings) as Array<[keyof typeof merged, string]>) {
        if (text.trim()) merged[l] = text.trim();
        else delete merged[l];
      }
      greetings = JSON.stringify(merged);
    }
    const tenantSet = {
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.brandColor !== undefined ? { brand_color: patch.brandColor.toLowerCase() } : {}),
      ...(patch.position !== undefined ? { position: patch.position } : {}),
      ...(patch.greeting !== undefined ? { greeting: patch.greeting.trim() } : {}),
      ...(greetings !== undefined ? { greetings } : {}),
      ...(origins !== undefined ? { allowed_origins: JSON.stringify(origins) } : {}),
    };
    if (Object.keys(tenantSet).length) await trx.updateTable('tenants').set(tenantSet).where('id', '=', tenantId).execute();
    if (patch.language !== undefined || patch.prechatFields !== undefined || patch.requireTotp !== undefined) {
      const existing = await trx.selectFrom('tenant_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      const row = {
        tenant_id: tenantId,
        language: patch.language ?? existing?.language ?? 'auto',
        prechat_fields: patch.prechatFields ? JSON.stringify(patch.prechatFields) : (existing?.prechat_fields ?? JSON.stringify(DEFAULT_PRECHAT)),
        require_totp: patch.requireTotp === undefined ? (existing?.require_totp ?? 0) : patch.requireTotp ? 1 : 0,
        updated_at: now,
      };
      if (existing) await trx.updateTable('tenant_settings').set(row).where('tenant_id', '=', tenantId).execute();
      else await trx.insertInto('tenant_settings').values(row).execute();
    }
    await appendAudit(trx, actor, [{ tenantId, action: 'tenant.settings_updated', resourceType: 'tenant', resourceId: tenantId, details: { ...patch, ...(origins ? { allowedOrigins: origins } : {}) } }]);
  });
  return tenantSettings(db, tenantId);
}
