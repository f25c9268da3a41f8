import type { ApiKeyCreateBody, ApiKeyCreated } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { displayPrefix, hashApiKey, newApiKey } from '../security/apiKeys.js';
import { newId } from '../security/ids.js';
import { presentApiKey } from '../presenters/adminPresenters.js';
import type { Agent, ApiKey } from '../storage/schema.js';

/** Creates a tenant API key acting as `creator`. The key is returned once; only its hash is kept. */
export async function createApiKey(ctx: Ctx, creator: Agent, input: ApiKeyCreateBody, actor: AuditActor): Promise<ApiKeyCreated> {
  const token = newApiKey();
  const scopes = [...new Set(input.scopes)];
  const row: ApiKey = {
    id: newId('key'),
    tenant_id: creator.tenant_id,
    name: input.name.trim(),
    prefix: displayPrefix(token),
    key_hash: hashApiKey(token),
    scopes: JSON.stringify(scopes),
    agent_id: creator.id,
    created_at: Date.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await ctx.storage.db.transaction().execute(async (trx) => {
    await trx.insertInto('api_keys').values(row).execute();
    await appendAudit(trx, actor, [{ tenantId: creator.tenant_id, action: 'api_key.created', resourceType: 'api_key', resourceId: row.id, details: { name: row.name, scopes } }]);
  });
  return { apiKey: presentApiKey(row, creator), token };
}
