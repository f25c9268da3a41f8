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
          this.run(event.tenantId, async () => {
            await takeIn(this.ctx, event.tenantId, c.id);
            await routeTenant(this.ctx, event.tenantId);
          });
        } else if (c.status === 'resolved') {
          this.run(event.tenantId, () => routeTenant(this.ctx, event.tenantId));
        }
        return;
      }
      case 'agent.presence':
        if (event.status === 'online') this.run(event.tenantId, () => routeTenant(this.ctx, event.tenantId));
        return;
      case 'message.created':
        if (event.message.author.kind === 'visitor' && !event.message.internal) {
          this.run(event.tenantId, async () => void (await botAnswer(this.ctx, event.tenantId, event.message)));
        }
        return;
      default:
        return;
    }
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
