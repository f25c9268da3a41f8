import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DomainEvent, EventBus, EventHandler } from './domainEvents.js';

const CHANNEL = 'parley:events';

/**
 * Many nodes: every event goes through one Redis channel, and each node delivers it to its own sockets.
 * Losing Redis for a while loses live events, never messages: they are committed before publishing,
 * and clients catch up by seq when they reconnect.
 */
export class RedisBus implements EventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private handlers: EventHandler[] = [];

  constructor(url: string, private readonly log: Logger) {
    const opts = { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false };
    this.pub = new Redis(url, opts);
    this.sub = new Redis(url, { ...opts, enableOfflineQueue: true });
    for (const c of [this.pub, this.sub]) c.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
    void this.sub.subscribe(CHANNEL);
    this.sub.on('message', (_channel: string, raw: string) => {
      let event: DomainEvent;
      try {
        event = JSON.parse(raw) as DomainEvent;
      } catch {
        return;
      }
      for (const h of this.handlers) h(event);
    });
  }

  async publish(event: DomainEvent): Promise<void> {
    try {
      await this.pub.publish(CHANNEL, JSON.stringify(event));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, type: event.type }, 'event not published; clients will catch up on reconnect');
    }
  }

  subscribe(handler: EventHandler): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers = [];
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
