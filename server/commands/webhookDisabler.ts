import type { WebhookView } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { forgetActiveHooks } from '../webhooks/webhookEvents.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentWebhook } from '../presenters/adminPresenters.js';

/** Stops deliveries to a receiver (pending ones fail with "webhook removed or disabled"); the log stays. */
export async function disableWebhook(ctx: Ctx, tenantId: string, id: string, actor: AuditActor): Promise<WebhookView> {
  const db = ctx.storage.db;
  const hook = assertSameTenant({ tenantId }, await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst(), 'webhook');
  const at = hook.disabled_at ?? Date.now();
  if (hook.disabled_at === null) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('webhooks').set({ disabled_at: at }).where('id', '=', hook.id).where('tenant_id', '=', tenantId).execute();
      await appendAudit(trx, actor, [{ tenantId, action: 'webhook.disabled', resourceType: 'webhook', resourceId: hook.id }]);
    });
  }
  forgetActiveHooks(tenantId);
  return presentWebhook({ ...hook, disabled_at: at });
}
