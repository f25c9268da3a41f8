import type { WebhookCreateBody, WebhookCreated } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { forgetActiveHooks } from '../webhooks/webhookEvents.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { newId } from '../security/ids.js';
import { checkReceiverUrl } from '../webhooks/receiverRequest.js';
import { presentWebhook } from '../presenters/adminPresenters.js';
import type { Webhook } from '../storage/schema.js';
import { newWebhookSecret } from '../webhooks/signing.js';

/** Registers a receiver; its Standard Webhooks secret is returned once. */
export async function createWebhook(ctx: Ctx, tenantId: string, input: WebhookCreateBody, actor: AuditActor): Promise<WebhookCreated> {
  const events = input.events.includes('*') ? ['*'] : [...new Set(input.events)];
  const row: Webhook = { id: newId('whk'), tenant_id: tenantId, url: await checkReceiverUrl(input.url, ctx.env.webhookAllowedNetworks), secret: newWebhookSecret(), events: JSON.stringify(events), created_at: Date.now(), disabled_at: null };
  await ctx.storage.db.transaction().execute(async (trx) => {
    await trx.insertInto('webhooks').values(row).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'webhook.created', resourceType: 'webhook', resourceId: row.id, details: { url: row.url, events } }]);
  });
  forgetActiveHooks(tenantId);
  return { webhook: presentWebhook(row), secret: row.secret };
}
