/**
 * Queues webhook deliveries for conversation and message events. It wraps the event bus's publish on
 * the node where the event happened (not subscribe, which every node sees with Redis), so each event
 * is queued once in the whole cluster. Private notes are never sent out. Payloads carry message
 * bodies and visitor data, so they are stored sealed under the tenant's data key (opened only to send).
 */
import type { Logger } from 'pino';
import type { DomainEvent, EventBus } from '../events/domainEvents.js';
import type { Db } from '../storage/db.js';
import type { Keyring } from '../security/keyring.js';
import { enqueueWebhookEvent, noHookWants } from './webhookEvents.js';

export function forwardToWebhooks(bus: EventBus, db: Db, keyring: Keyring, log: Logger): EventBus {
  const publish = bus.publish.bind(bus);
  const enqueue = async (tenantId: string, type: 'message.created' | 'conversation.created' | 'conversation.updated', data: unknown) =>
    enqueueWebhookEvent(db, tenantId, type, data, await keyring.dataKey(tenantId));
  // Known from memory that no hook wants it (most tenants, most messages): nothing to queue, no promise made.
  const sealed = (tenantId: string, type: 'message.created' | 'conversation.created' | 'conversation.updated', data: unknown) =>
    noHookWants(tenantId, type) ? null : enqueue(tenantId, type, data);
  bus.publish = async (event: DomainEvent) => {
    await publish(event);
    const queued =
      // A message masked after the fact is sent again as message.created, same id: receivers replace it.
      (event.type === 'message.created' || event.type === 'message.redacted') && !event.message.internal
        ? sealed(event.tenantId, 'message.created', { conversationId: event.conversationId, message: event.message })
        : event.type === 'conversation.updated'
          ? sealed(event.tenantId, event.created ? 'conversation.created' : 'conversation.updated', { conversation: event.conversation })
          : null;
    // Never fail or slow the caller: the message is committed already.
    queued?.catch((err: Error) => log.warn({ err: err.message, type: event.type }, 'webhook enqueue failed'));
  };
  return bus;
}
