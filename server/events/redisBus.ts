import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DomainEvent, EventBus, EventHandler } from './domainEvents.js';

const CHANNEL = 'parley:events';

/**
 * Many nodes: every event goes through one Redis channel, and each node delivers it to its own sockets.
 * Losing Redis for a while loses live events, never messages: they are committed before publishing.
 * When the subscriber connection comes back after a loss, `onResync` handlers run (the gateway asks
 * its sockets to reconnect and resume by seq), so clients also catch up on what they missed live.
 * Publishing never waits for Redis: while it is down, publish fails at once and the ack is not delayed.
 */
export class RedisBus implements EventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private handlers: EventHandler[] = [];
  private resyncHandlers: Array<() => void> = [];
  private lost = false;
  private closing = false;

  constructor(url: string, private readonly log: Logger) {
    const opts = {
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
      lazyConnect: false,
      // Reconnect quickly (50 ms, doubling to 1 s): a Redis restart should cost seconds, not minutes.
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    };
    this.pub = new Redis(url, opts);
    this.sub = new Redis(url, { ...opts, enableOfflineQueue: true });
    for (const c of [this.pub, this.sub]) c.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
    this.sub.on('close', () => {
      if (!this.closing) this.lost = true;
    });
    this.sub.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      // ioredis re-subscribes on reconnect; wait until the subscription is confirmed before resyncing.
      this.sub
        .subscribe(CHANNEL)
        .then(() => {
          this.log.warn('redis subscription restored');
          for (const h of this.resyncHandlers) h();
        })
        .catch((err: Error) => this.log.warn({ err: err.message }, 'redis resubscribe failed'));
    });
    void this.sub.subscribe(CHANNEL).catch((err: Error) => log.warn({ err: err.message }, 'redis subscribe failed'));
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

  onResync(handler: () => void): void {
    this.resyncHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handlers = [];
    this.resyncHandlers = [];
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
