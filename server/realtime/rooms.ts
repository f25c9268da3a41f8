/**
 * Which sockets on this node want which events, and the delivery of domain events to them.
 * Agents listen per tenant; visitors per visitor id, under every visitor (browser) of their contact:
 * a verified shopper's socket follows the conversations of all their devices (issue 20), and a
 * `contact.linked` event adds the browsers that join the contact later. Only browsers that proved the
 * contact's identity share it (queries/contactQueries.ts); any other socket hears only its own visitor. Each event is serialised once, whatever the number of receivers.
 * Frames carrying a conversation's data go through each socket's `deliver` (deliverAbout): the access
 * audit's entry for that socket is durable before the frame leaves (Connection.sendAudited).
 */
import type { DomainEvent } from '../events/domainEvents.js';
import type { AgentConnection } from './agentConnection.js';
import type { VisitorConnection } from './visitorConnection.js';
import type { Metrics } from '../metrics.js';
import { forVisitor } from '../presenters/presenters.js';
import { messageFrameJson } from './messageFrames.js';

export class Rooms {
  private agents = new Map<string, Set<AgentConnection>>();
  private visitors = new Map<string, Set<VisitorConnection>>();
  /** The visitor ids each visitor socket listens under (its own, and its contact's other browsers). */
  private watching = new Map<VisitorConnection, Set<string>>();

  constructor(private readonly metrics?: Pick<Metrics, 'deliverySeconds'>) {}

  joinAgent(c: AgentConnection): void {
    add(this.agents, c.tenantId, c);
  }
  leaveAgent(c: AgentConnection): void {
    remove(this.agents, c.tenantId, c);
  }
  /** `visitorIds`: every browser of the socket's contact (its own included). */
  joinVisitor(c: VisitorConnection, visitorIds: readonly string[] = [c.visitorId]): void {
    this.watch(c, [c.visitorId, ...visitorIds]);
  }
  leaveVisitor(c: VisitorConnection): void {
    for (const id of this.watching.get(c) ?? [c.visitorId]) remove(this.visitors, id, c);
    this.watching.delete(c);
  }
  private watch(c: VisitorConnection, visitorIds: readonly string[]): void {
    let set = this.watching.get(c);
    if (!set) this.watching.set(c, (set = new Set()));
    for (const id of visitorIds) {
      set.add(id);
      add(this.visitors, id, c);
    }
  }
  /**
   * These browsers (each proved the contact's verified identity) now share its conversations: the
   * sockets of each follow all. Only the sockets of the browsers named, so no other socket ever
   * starts hearing them.
   */
  private linked(tenantId: string, contactId: string, visitorIds: readonly string[]): void {
    const sockets: VisitorConnection[] = [];
    for (const id of visitorIds) for (const c of this.visitors.get(id) ?? []) if (c.visitorId === id && c.tenantId === tenantId) sockets.push(c);
    for (const c of sockets) {
      c.contactId = contactId;
      this.watch(c, visitorIds);
    }
  }

  agentsOnline(tenantId: string): number {
    return this.agents.get(tenantId)?.size ?? 0;
  }

  all(): Iterable<AgentConnection | VisitorConnection> {
    return (function* (rooms: Rooms) {
      for (const set of rooms.agents.values()) yield* set;
      yield* rooms.watching.keys();
    })(this);
  }

  deliver(event: DomainEvent): void {
    if (event.type === 'incident.raised') {
      const json = JSON.stringify({ type: 'incident', incident: event.incident });
      const targets = event.tenantId === null ? [...this.agents.values()] : [this.agents.get(event.tenantId)];
      for (const set of targets) if (set) for (const c of set) c.sendRaw(json);
      return;
    }
    if (event.type === 'contact.linked') return this.linked(event.tenantId, event.contactId, event.visitorIds);
    const agents = this.agents.get(event.tenantId);
    const visitors = 'visitorId' in event ? this.visitors.get(event.visitorId) : event.type === 'conversation.updated' ? this.visitors.get(event.conversation.visitor.id) : undefined;
    switch (event.type) {
      case 'message.created':
      case 'message.redacted': {
        // The sender's own socket has the message in its ack already. A redacted message is sent
        // to everyone as the same `message` frame: clients replace the message with that id.
        const fromSocket = event.type === 'message.created' ? event.fromSocket : undefined;
        // Each receiving socket sends it once its access-audit entry for the conversation is durable (at once when it is already).
        deliverAbout(agents, () => messageFrameJson(event.message), event.conversationId, event.visitorId, undefined, fromSocket);
        // Visitor → agent latency, once per new message that reached an agent socket on this node.
        if (event.type === 'message.created' && agents?.size && event.message.author.kind === 'visitor') this.metrics?.deliverySeconds.observe(Math.max(0, Date.now() - Date.parse(event.message.createdAt)) / 1000);
        if (!event.message.internal) deliverAbout(visitors, () => messageFrameJson(event.message), event.conversationId, event.visitorId, event.tenantId, fromSocket);
        break;
      }
      case 'conversation.updated': {
        const c = event.conversation;
        deliverAbout(agents, () => JSON.stringify({ type: 'conversation', conversation: c }), c.id, c.visitor.id);
        // Labels, priority and snooze are the agents' business: the visitor's copy has none of them.
        deliverAbout(visitors, () => JSON.stringify({ type: 'conversation', conversation: forVisitor(c) }), c.id, c.visitor.id, event.tenantId);
        break;
      }
      case 'mention.created': {
        if (!agents) break;
        const json = JSON.stringify({ type: 'mention', mention: event.mention });
        for (const c of agents) if (c.agent.id === event.agentId) c.sendRaw(json);
        break;
      }
      case 'agent.activity': {
        if (!agents) break;
        let json: string | undefined;
        for (const c of agents) {
          if (c.agent.id === event.agent.id) continue;
          c.sendRaw((json ??= JSON.stringify({ type: 'activity', conversationId: event.conversationId, agent: event.agent, state: event.state })));
          // A newcomer: whoever is already there says so (once; a reply is never answered).
          if (event.state === 'viewing' && !event.reply) c.peerArrived(event.conversationId);
        }
        break;
      }
      case 'typing': {
        const frame = { type: 'typing', conversationId: event.conversationId, from: event.from, on: event.on };
        broadcast(event.from === 'visitor' ? agents : visitors, frame, event.tenantId);
        break;
      }
      case 'agent.presence':
        broadcast(agents, { type: 'presence', agentId: event.agentId, status: event.status });
        break;
      case 'label.changed':
        broadcast(agents, { type: 'label', id: event.labelId, label: event.label });
        break;
      case 'macro.changed':
        broadcast(agents, { type: 'macro', id: event.macroId, macro: event.macro });
        break;
      case 'queue.updated':
        broadcast(visitors, { type: 'queue', conversationId: event.conversationId, position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds }, event.tenantId);
        break;
      case 'sla.changed':
        broadcast(agents, { type: 'sla', sla: event.sla });
        break;
      case 'sla.breached':
        broadcast(agents, { type: 'slaBreach', breach: event.breach });
        break;
      case 'receipt': {
        const frame = { type: 'receipt', conversationId: event.conversationId, by: event.by, deliveredSeq: event.deliveredSeq, readSeq: event.readSeq };
        // The visitor's read mark also goes to the shopper's sockets: their other devices clear the
        // conversation's unread marker (issue 20); the agents' goes to the visitor only.
        if (event.by === 'visitor') broadcast(agents, frame, event.tenantId);
        broadcast(visitors, frame, event.tenantId);
        break;
      }
    }
  }
}

/** Sends a frame that carries no conversation's data (typing, receipts, presence…) to each socket of `set`. */
function broadcast(set: Set<{ sendRaw(json: string): void; tenantId: string; socketId: string }> | undefined, frame: object, tenantId?: string, exceptSocket?: string): void {
  if (!set || set.size === 0) return;
  let json: string | undefined;
  for (const c of set) {
    // Visitor rooms are keyed by visitor id only; the tenant check makes a forged id useless.
    if ((tenantId && c.tenantId !== tenantId) || c.socketId === exceptSocket) continue;
    c.sendRaw((json ??= JSON.stringify(frame)));
  }
}

/**
 * Sends a frame carrying a conversation's data to each socket of `set` through its `deliver`, which
 * holds it until that socket's access-audit entry for the conversation is durable (the first time;
 * later ones go straight out). Encoded once, for the first receiver.
 */
function deliverAbout(
  set: Set<{ deliver(json: string, conversationId: string, visitorId: string): void; tenantId: string; socketId: string }> | undefined,
  encode: () => string,
  conversationId: string,
  visitorId: string,
  tenantId?: string,
  exceptSocket?: string,
): void {
  if (!set || set.size === 0) return;
  let json: string | undefined;
  for (const c of set) {
    if ((tenantId && c.tenantId !== tenantId) || c.socketId === exceptSocket) continue;
    c.deliver((json ??= encode()), conversationId, visitorId);
  }
}

function add<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function remove<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
