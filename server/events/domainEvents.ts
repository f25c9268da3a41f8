/**
 * Domain events: commands publish them after commit; the realtime gateway (and later webhooks)
 * subscribe. Domain code never imports realtime code.
 */
import type { ConversationView, IncidentView, MessageView } from '../../protocol/records.js';

export type DomainEvent =
  | { type: 'message.created'; tenantId: string; conversationId: string; visitorId: string; message: MessageView }
  | { type: 'conversation.updated'; tenantId: string; conversation: ConversationView }
  | { type: 'typing'; tenantId: string; conversationId: string; visitorId: string; from: 'visitor' | 'agent'; on: boolean }
  /** tenantId null: every tenant's agents are told (a platform-wide incident). */
  | { type: 'incident.raised'; tenantId: string | null; incident: IncidentView };

export type EventHandler = (event: DomainEvent) => void;

/** Pub/sub between nodes: in-process for one node, Redis for many. Delivery is at-most-once; clients resume by seq. */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  subscribe(handler: EventHandler): void;
  close(): Promise<void>;
}
