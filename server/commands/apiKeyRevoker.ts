import type { ApiKeyView } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { apiKeyView } from '../queries/adminQueries.js';

/** Revoking is immediate (every request looks the key up) and idempotent. */
export async function revokeApiKey(ctx: Ctx, tenantId: string, keyId: string, actor: AuditActor): Promise<ApiKeyView> {
  const db = ctx.storage.db;
  const key = assertSameTenant({ tenantId }, await db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst(), 'API key');
  if (key.revoked_at === null) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', key.id).where('tenant_id', '=', tenantId).execute();
      await appendAudit(trx, actor, [{ tenantId, action: 'api_key.revoked', resourceType: 'api_key', resourceId: key.id }]);
    });
  }
  return apiKeyView(db, tenantId, key.id);
}
