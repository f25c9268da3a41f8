/**
 * Domain events: commands publish them after commit; the realtime gateway (and later webhooks)
 * subscribe. Domain code never imports realtime code.
 */
import type { ConversationView, IncidentView, MessageView } from '../../protocol/records.js';
import type { LabelView, MacroView, MentionView } from '../../protocol/productivity.js';
import type { ConversationSlaView, SlaBreachView } from '../../protocol/sla.js';

export type DomainEvent =
  /** `fromSocket`: the socket that sent the message; it has the message in its ack and is not sent it again. */
  | { type: 'message.created'; tenantId: string; conversationId: string; visitorId: string; message: MessageView; fromSocket?: string }
  /** A stored message was masked after the fact (part of a card typed over several messages, commands/messageContinuation.ts): clients replace it by id. */
  | { type: 'message.redacted'; tenantId: string; conversationId: string; visitorId: string; message: MessageView }
  /** `created`: the conversation did not exist before this event (webhooks send conversation.created). */
  | { type: 'conversation.updated'; tenantId: string; conversation: ConversationView; created?: boolean }
  | { type: 'typing'; tenantId: string; conversationId: string; visitorId: string; from: 'visitor' | 'agent'; on: boolean }
  /** tenantId null: every tenant's agents are told (a platform-wide incident). */
  | { type: 'incident.raised'; tenantId: string | null; incident: IncidentView }
  // --- contact centre (issue 5) ---
  /** An agent's presence changed: a console connected or went away, or they chose online/away. */
  | { type: 'agent.presence'; tenantId: string; agentId: string; status: 'online' | 'away' | 'offline' }
  /** A waiting visitor's place in the queue (position null once an agent has it). */
  | { type: 'queue.updated'; tenantId: string; visitorId: string; conversationId: string; position: number | null; estimatedWaitSeconds: number | null }
  /** One side's read state of a conversation moved forward. */
  | { type: 'receipt'; tenantId: string; visitorId: string; conversationId: string; by: 'visitor' | 'agent'; deliveredSeq: number; readSeq: number }
  /** Visitors' names may have changed, or they were erased (null: all of the tenant's): every node forgets what it cached of them. */
  | { type: 'visitors.changed'; tenantId: string; visitorIds: string[] | null }
  // --- agent productivity (issue 20) ---
  /** An agent was @mentioned in a private note: only their consoles are told. */
  | { type: 'mention.created'; tenantId: string; agentId: string; mention: MentionView }
  /**
   * Collision detection: an agent views, types in, or left a conversation. `reply`: an answer to
   * another agent's fresh "viewing", so a newcomer learns who was already there (never answered again).
   */
  | { type: 'agent.activity'; tenantId: string; conversationId: string; agent: { id: string; name: string }; state: 'viewing' | 'typing' | 'left'; reply?: boolean }
  /** A label or macro was created or changed (its view) or deleted (null): every agent socket of the tenant is told, on every node. */
  | { type: 'label.changed'; tenantId: string; labelId: string; label: LabelView | null }
  | { type: 'macro.changed'; tenantId: string; macroId: string; macro: MacroView | null }
  // --- service levels (issue 20 item 3) ---
  /** A conversation's SLA clocks changed (started, met, breached, stopped): agents' countdowns follow. */
  | { type: 'sla.changed'; tenantId: string; sla: ConversationSlaView }
  /** A target's deadline passed unmet; raised once in the whole cluster (commands/slaMonitor.ts). */
  | { type: 'sla.breached'; tenantId: string; breach: SlaBreachView }

  // --- contacts (issue 20) ---
  /** These visitors (browsers) now make up one contact: each of their sockets follows all of their conversations, live. */
  | { type: 'contact.linked'; tenantId: string; contactId: string; visitorIds: string[] };

export type EventHandler = (event: DomainEvent) => void;

/** Pub/sub between nodes: in-process for one node, Redis for many. Delivery is at-most-once; clients resume by seq. */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  subscribe(handler: EventHandler): void;
  /** Called after the bus was cut off and is back: events in between may be lost, so clients must resume. */
  onResync?(handler: () => void): void;
  close(): Promise<void>;
}
