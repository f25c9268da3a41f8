import type { WebhookDeliveryView } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { newId } from '../security/ids.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentDelivery } from '../presenters/adminPresenters.js';
import type { WebhookDelivery } from '../storage/schema.js';

/**
 * Sends a delivery again as a new delivery with the same payload (and so a new webhook-id: a
 * receiver that deduplicates by id treats it as new, which is what "replay" asks for).
 */
export async function replayDelivery(ctx: Ctx, tenantId: string, deliveryId: string, actor: AuditActor): Promise<WebhookDeliveryView> {
  const db = ctx.storage.db;
  const d = assertSameTenant({ tenantId }, await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst(), 'delivery');
  const hook = await db.selectFrom('webhooks').select(['id', 'disabled_at']).where('id', '=', d.webhook_id).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!hook || hook.disabled_at !== null) throw new AppError('conflict', 'the webhook is disabled; create a new one to receive events');
  const now = Date.now();
  const copy: WebhookDelivery = {
    ...d,
    id: newId('whd'),
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    locked_until: 0,
    last_status: null,
    last_error: null,
    created_at: now,
    delivered_at: null,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_deliveries').values(copy).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'webhook.delivery_replayed', resourceType: 'webhook_delivery', resourceId: copy.id, details: { of: d.id, webhookId: d.webhook_id } }]);
  });
  return presentDelivery(copy);
}
