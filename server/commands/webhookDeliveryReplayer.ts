import type { WebhookDeliveryView } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { newId } from '../security/ids.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentDelivery } from '../presenters/adminPresenters.js';
import type { WebhookDelivery } from '../storage/schema.js';
import { untriedDelivery } from '../webhooks/webhookEvents.js';
import { isSealed, sealWith } from '../security/keyring.js';
import { aadFor } from '../security/sealedFields.js';

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
  const id = newId('whd');
  // A sealed payload is bound to its delivery's id: open it and seal it again for the new one.
  const payload = isSealed(d.payload)
    ? sealWith(await ctx.keyring.dataKey(tenantId), aadFor(tenantId, 'webhook_deliveries', 'payload', id), await ctx.keyring.open(tenantId, aadFor(tenantId, 'webhook_deliveries', 'payload', d.id), d.payload))
    : d.payload;
  const copy: WebhookDelivery = { ...d, id, payload, ...untriedDelivery(now) };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_deliveries').values(copy).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'webhook.delivery_replayed', resourceType: 'webhook_delivery', resourceId: copy.id, details: { of: d.id, webhookId: d.webhook_id } }]);
  });
  return presentDelivery(copy);
}
