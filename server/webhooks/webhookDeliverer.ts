/**
 * Delivers queued webhooks: signed per Standard Webhooks, retried with exponential backoff, every
 * attempt recorded. Any node may run it: a delivery is claimed by moving its locked_until forward
 * in a conditional UPDATE, so two nodes never send the same attempt.
 */
import type { Ctx } from '../context.js';
import type { WebhookDelivery } from '../storage/schema.js';
import { signWebhook } from './signing.js';
import { postToReceiver, UNREACHABLE } from './receiverRequest.js';
import { isSealed } from '../security/keyring.js';
import { aadFor } from '../security/sealedFields.js';
import { recordAccess, type Exposure } from '../security/accessAudit.js';

/** The conversations and visitors a payload carries (any object with conversationId / visitorId), for the access audit. */
function payloadExposures(tenantId: string, deliveryId: string, eventType: string, payload: string): Exposure[] {
  const found = new Map<string, Exposure>();
  const walk = (v: unknown, depth: number, conversationId: string | null, visitorId: string | null): void => {
    if (depth > 8 || found.size >= 1000 || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1, conversationId, visitorId));
    const o = v as Record<string, unknown>;
    // Ids nest: a conversation listed under a visitor belongs to that visitor.
    if (typeof o.conversationId === 'string') conversationId = o.conversationId;
    if (typeof o.visitorId === 'string') visitorId = o.visitorId;
    if (conversationId || visitorId) found.set(`${conversationId}|${visitorId}`, { tenantId, resourceType: 'webhook_delivery', resourceId: deliveryId, conversationId, visitorId, details: { eventType } });
    for (const x of Object.values(o)) walk(x, depth + 1, conversationId, visitorId);
  };
  try {
    walk(JSON.parse(payload), 0, null, null);
  } catch {
    // not JSON: nothing to attribute
  }
  // Keep the most specific entries: (conversation, visitor) pairs make a visitor-only entry redundant.
  const list = [...found.values()].filter((e) => e.conversationId || ![...found.values()].some((x) => x.conversationId && x.visitorId === e.visitorId));
  return list.length ? list : [{ tenantId, resourceType: 'webhook_delivery', resourceId: deliveryId, details: { eventType } }];
}

/**
 * A payload that names a conversation but not its visitor (message.created carries `conversationId`
 * and the message, whose author is not the visitor's id) still exposes that visitor: the entry names
 * them, so an exposure report by visitor lists the delivery.
 */
async function withVisitors(ctx: Pick<Ctx, 'storage'>, tenantId: string, exposures: Exposure[]): Promise<Exposure[]> {
  const missing = [...new Set(exposures.filter((e) => e.conversationId && !e.visitorId).map((e) => e.conversationId!))];
  if (missing.length === 0) return exposures;
  const rows = await ctx.storage.db.selectFrom('conversations').select(['id', 'visitor_id']).where('tenant_id', '=', tenantId).where('id', 'in', missing).execute();
  const visitorOf = new Map(rows.map((r) => [r.id, r.visitor_id]));
  return exposures.map((e) => (e.conversationId && !e.visitorId ? { ...e, visitorId: visitorOf.get(e.conversationId) ?? null } : e));
}

/** Seconds before attempt n+1: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h; then it is marked failed. */
export const RETRY_DELAYS_S = [10, 60, 300, 1800, 7200, 21600];
const TIMEOUT_MS = 10_000;
const LOCK_MS = 30_000;
/** The delivery log's word for a pass that sent nothing because its access-audit entry could not be written. */
export const AUDIT_UNAVAILABLE = 'not sent: access audit unavailable; retried';

export class WebhookDeliverer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly ctx: Ctx, private readonly intervalMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over due deliveries; exposed so tests can drive it. */
  tick(): Promise<void> {
    this.running ??= this.deliverDue()
      .catch((err) => this.ctx.log.warn({ err: (err as Error).message }, 'webhook pass failed'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async deliverDue(): Promise<void> {
    const db = this.ctx.storage.db;
    const now = Date.now();
    const due = await db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where('locked_until', '<', now)
      .orderBy('next_attempt_at')
      .limit(20)
      .execute();
    await Promise.all(
      due.map(async (d) => {
        const claimed = await db
          .updateTable('webhook_deliveries')
          .set({ locked_until: now + LOCK_MS })
          .where('id', '=', d.id)
          .where('locked_until', '=', d.locked_until)
          .executeTakeFirst();
        if (claimed.numUpdatedRows === 1n) await this.attempt(d);
      }),
    );
  }

  private async attempt(d: WebhookDelivery): Promise<void> {
    const db = this.ctx.storage.db;
    const hook = await db.selectFrom('webhooks').selectAll().where('id', '=', d.webhook_id).executeTakeFirst();
    if (!hook || hook.disabled_at) {
      await db.updateTable('webhook_deliveries').set({ status: 'failed', last_error: 'webhook removed or disabled' }).where('id', '=', d.id).execute();
      this.ctx.metrics.webhookDeliveries.inc({ outcome: 'dropped' });
      return;
    }
    // Sealed payloads (conversation or visitor data) are opened only for the request itself.
    const payload = isSealed(d.payload) ? await this.ctx.keyring.open(d.tenant_id, aadFor(d.tenant_id, 'webhook_deliveries', 'payload', d.id), d.payload) : d.payload;
    const timestamp = Math.floor(Date.now() / 1000);
    // Access audit: what data goes to which URL, recorded once the connection to a judged address is
    // open and before a byte of the request is written (receiverRequest.ts, beforeBody;
    // docs/SECURITY.md, *Access audit*). An entry that cannot be written leaves the payload unsent:
    // the delivery waits for a later pass, and is not counted as an attempt (the receiver got nothing).
    const outcome = await postToReceiver(
      hook.url,
      {
        'content-type': 'application/json',
        'user-agent': 'Parley-Webhooks/1',
        'webhook-id': d.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(hook.secret, d.id, timestamp, payload),
      },
      payload,
      this.ctx.env.webhookAllowedNetworks,
      TIMEOUT_MS,
      async () => recordAccess(this.ctx, { kind: 'webhook', tenantId: d.tenant_id, webhookId: hook.id, url: hook.url }, 'webhook.deliver', await withVisitors(this.ctx, d.tenant_id, payloadExposures(d.tenant_id, d.id, d.event_type, payload))),
    );
    if ('unrecorded' in outcome) {
      this.ctx.log.error({ reason: outcome.reason, webhookId: hook.id, deliveryId: d.id }, 'webhook delivery audit failed: not sent, retried later');
      await db.updateTable('webhook_deliveries').set({ last_error: AUDIT_UNAVAILABLE, next_attempt_at: Date.now() + RETRY_DELAYS_S[0]! * 1000, locked_until: 0 }).where('id', '=', d.id).execute();
      this.ctx.metrics.webhookDeliveries.inc({ outcome: 'retrying' });
      return;
    }
    const status = outcome.status;
    let error: string | null = null;
    if (status === null) {
      // The reason stays in the operator's log; the tenant sees one outcome (see receiverRequest.ts).
      this.ctx.log.warn({ webhookId: hook.id, deliveryId: d.id, reason: outcome.reason }, 'webhook receiver not reachable');
      error = UNREACHABLE;
    } else if (status < 200 || status >= 300) {
      error = `receiver answered ${status}`;
    }
    const attempts = d.attempts + 1;
    const delay = RETRY_DELAYS_S[attempts - 1];
    await db
      .updateTable('webhook_deliveries')
      .set(
        error === null
          ? { status: 'delivered', attempts, last_status: status, last_error: null, delivered_at: Date.now(), locked_until: 0 }
          : {
              status: delay === undefined ? 'failed' : 'pending',
              attempts,
              last_status: status,
              last_error: error,
              next_attempt_at: Date.now() + (delay ?? 0) * 1000,
              locked_until: 0,
            },
      )
      .where('id', '=', d.id)
      .execute();
    this.ctx.metrics.webhookDeliveries.inc({ outcome: error === null ? 'delivered' : delay === undefined ? 'failed' : 'retrying' });
  }
}
