import type { DomainEvent, EventBus, EventHandler } from './domainEvents.js';

/** One node: handlers run synchronously in publish order. */
export class MemoryBus implements EventBus {
  private handlers: EventHandler[] = [];
  async publish(event: DomainEvent): Promise<void> {
    for (const h of this.handlers) h(event);
  }
  subscribe(handler: EventHandler): void {
    this.handlers.push(handler);
  }
  async close(): Promise<void> {
    this.handlers = [];
  }
}
