/**
 * Queues an event for every webhook of a tenant that subscribed to it. Delivery happens in
 * webhookDeliverer, so a slow or dead receiver never slows the request that caused the event.
 */
import { ExpiringReads } from '../expiringCache.js';
import type { Db } from '../storage/db.js';
import { newId } from '../security/ids.js';
import { preparedQuery } from '../storage/preparedQuery.js';
import { sealWith, type DataKey } from '../security/keyring.js';
import { aadFor } from '../security/sealedFields.js';
import { redactDeep } from '../security/sinkRedaction.js';

export type WebhookEventType =
  | 'conversation.created'
  | 'conversation.updated'
  | 'message.created'
  | 'security.incident'
  | 'security.exposure_report'
  /** The access audit log's latest signed checkpoint, every AUDIT_DIGEST_MS (issue 16). */
  | 'audit.checkpoint'
  /** A conversation's SLA target passed unmet (issue 20 item 3): once per breach in the cluster. */
  | 'sla.breached';

/** Asked for every message and conversation event, so compiled once (storage/preparedQuery.ts). */
const activeHooksQuery = preparedQuery<{ tenantId: string }, { id: string; events: string }>((db, p) =>
  db.selectFrom('webhooks').select(['id', 'events']).where('tenant_id', '=', p('tenantId')).where('disabled_at', 'is', null),
);

/**
 * A tenant's active webhooks, kept for a second for message and conversation events: this was a
 * query per event, for a list that changes when an admin edits it. This node forgets it at once
 * when it creates or disables one (forgetActiveHooks); other nodes within HOOKS_TTL_MS. An event
 * queued meanwhile for a hook just disabled fails at delivery ("webhook removed or disabled").
 * Security notifications (rare, and they must reach a hook created a moment ago) always read it.
 */
const HOOKS_TTL_MS = 1000;
type ActiveHooks = Array<{ id: string; events: string[] }>;
/**
 * The list being read is cached too, so the events that arrive while it is read wait for that one
 * read; once read, noHookWants answers from it without a promise.
 */
const hooksByTenant = new ExpiringReads<ActiveHooks>({ maxEntries: 10_000, ttlMs: HOOKS_TTL_MS });

function activeHooks(db: Db, tenantId: string, cached: boolean): Promise<ActiveHooks> {
  return hooksByTenant.get(tenantId, () => activeHooksQuery.all(db, { tenantId }).then((rows) => rows.map((h) => ({ id: h.id, events: JSON.parse(h.events) as string[] }))), !cached);
}

const wants = (hook: { events: string[] }, type: WebhookEventType) => hook.events.includes('*') || hook.events.includes(type);

/**
 * True when the tenant's active webhooks, as read within HOOKS_TTL_MS, include none that wants
 * `type`: there is nothing to queue. Answered from memory, so the message path (most tenants have
 * no webhook for messages) makes no promise per message to learn it.
 */
export function noHookWants(tenantId: string, type: WebhookEventType): boolean {
  const known = hooksByTenant.known(tenantId);
  return known !== undefined && !known.value.some((h) => wants(h, type));
}

/** Call after a tenant's webhooks changed (created, disabled). */
export function forgetActiveHooks(tenantId: string): void {
  hooksByTenant.delete(tenantId);
}

/** The delivery state of an event not yet tried: pending and due `now` (new events and replays). */
export function untriedDelivery(now: number) {
  return { status: 'pending' as const, attempts: 0, next_attempt_at: now, locked_until: 0, last_status: null, last_error: null, created_at: now, delivered_at: null };
}

/**
 * With `dataKey` (events carrying conversation or visitor data), the stored payload is sealed under
 * the tenant's key like the data itself; the deliverer opens it just before sending.
 */
export async function enqueueWebhookEvent(db: Db, tenantId: string, type: WebhookEventType, data: unknown, dataKey?: DataKey): Promise<number> {
  // Rare events (and sla.breached, queued inside the transaction that claims the breach) read the list itself.
  const hooks = await activeHooks(db, tenantId, !type.startsWith('security.') && type !== 'audit.checkpoint' && type !== 'sla.breached');
  const now = Date.now();
  const due = hooks.filter((h) => wants(h, type));
  if (due.length === 0) return 0;
  // A sink: every string of the payload is redacted of card numbers (security/sinkRedaction.ts).
  const safe = redactDeep(data);
  await db
    .insertInto('webhook_deliveries')
    .values(
      due.map((h) => {
        const id = newId('whd');
        const payload = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: safe });
        return {
          id,
          webhook_id: h.id,
          tenant_id: tenantId,
          event_type: type,
          payload: dataKey ? sealWith(dataKey, aadFor(tenantId, 'webhook_deliveries', 'payload', id), payload) : payload,
          ...untriedDelivery(now),
        };
      }),
    )
    .execute();
  return due.length;
}
