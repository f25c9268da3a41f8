/**
 * Routing and the bot as subscribers to domain events, never inside messageCreator:
 * - a conversation that is open and unassigned (new, handed off, unassigned, transferred to a team)
 *   is taken in (bot or queue) and a routing pass runs;
 * - an agent becoming available, or a conversation being resolved (capacity freed), runs a pass;
 * - a visitor message in a conversation the bot holds gets the bot's answer.
 * Work is chained per tenant on this node so intake always precedes the bot and passes do not pile
 * up; across nodes, passes are serialised in the database (see conversationRouter.ts). A timer
 * expires the presence of dead nodes' sockets and refreshes the queue's estimates.
 */
import type { Ctx } from '../context.js';
import type { DomainEvent } from './domainEvents.js';
import { takeIn } from '../commands/conversationIntake.js';
import { routeTenant } from '../commands/conversationRouter.js';
import { botAnswer } from '../commands/botResponder.js';
import { expireAgentSockets } from '../commands/agentPresence.js';
import { PRESENCE_HEARTBEAT_MS } from '../queries/presenceQueries.js';

export class ContactCentreSubscriber {
  private chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly ctx: Ctx) {
    ctx.bus.subscribe((event) => this.on(event));
    this.timer = setInterval(() => void this.sweep(), PRESENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  private on(event: DomainEvent): void {
    if (this.closed) return;
    switch (event.type) {
      case 'conversation.updated': {
        const c = event.conversation;
        if (c.status === 'open' && c.assignee === null) {
          this.run(event.tenantId, () => takeIn(this.ctx, event.tenantId, c.id));
          this.route(event.tenantId);
        } else if (c.status === 'resolved') {
          this.route(event.tenantId);
        }
        return;
      }
      case 'agent.presence':
        if (event.status === 'online') this.route(event.tenantId);
        return;
      case 'message.created':
        if (event.message.author.kind === 'visitor' && !event.message.internal && !this.withPeople.has(event.conversationId)) {
          this.run(event.tenantId, async () => {
            // Asked again when the job runs: while this tenant's jobs lag behind (a busy node), every
            // message queued meanwhile would otherwise still ask for a state already known.
            if (this.withPeople.has(event.conversationId)) return;
            if ((await botAnswer(this.ctx, event.tenantId, event.message)) === 'with_people') this.rememberWithPeople(event.conversationId);
          });
        }
        return;
      default:
        return;
    }
  }

  /**
   * Conversations this node has seen in people's hands for good (botAnswer's `with_people`): their
   * messages no longer cost a bot-state query on every node. Bounded; the oldest are forgotten first.
   */
  private withPeople = new Set<string>();
  private rememberWithPeople(conversationId: string): void {
    this.withPeople.add(conversationId);
    if (this.withPeople.size > 50_000) this.withPeople.delete(this.withPeople.values().next().value!);
  }

  /** Tenants with a routing pass queued on this node that has not started yet. */
  private routeQueued = new Set<string>();

  /**
   * Queues a routing pass, unless one is already queued and not started: that pass reads the state
   * after everything queued before it, so a second one would find the same. Without this, N
   * conversations arriving together meant N passes, each telling every waiting visitor their place
   * (N² queue events, blocking the node for seconds under load).
   */
  private route(tenantId: string): void {
    if (this.routeQueued.has(tenantId)) return;
    this.routeQueued.add(tenantId);
    this.run(tenantId, () => {
      this.routeQueued.delete(tenantId);
      return routeTenant(this.ctx, tenantId);
    });
  }

  /** Chains work per tenant; a failure is logged and does not stop the chain. */
  private run(tenantId: string, job: () => Promise<unknown>): void {
    const prev = this.chains.get(tenantId) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        if (!this.closed) await job();
      })
      .catch((err: unknown) => this.ctx.log.warn({ err: (err as Error).message, tenantId }, 'contact-centre job failed'));
    this.chains.set(tenantId, next);
    void next.then(() => {
      if (this.chains.get(tenantId) === next) this.chains.delete(tenantId);
    });
  }

  /** Test hook and shutdown: resolves when every queued job of this node has run. */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private async sweep(): Promise<void> {
    try {
      await expireAgentSockets(this.ctx);
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'presence sweep failed');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.idle().catch(() => {});
    this.closed = true;
  }
}
