import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DomainEvent, EventBus, EventHandler } from './domainEvents.js';

const CHANNEL = 'parley:events';
/** An event of this node not back from Redis within this long is not coming back. */
const ECHO_TIMEOUT_MS = 60_000;

/**
 * Many nodes: every event goes through one Redis channel, and each node delivers it to its own sockets.
 * The node where an event happens delivers it at once, before Redis has it, and skips its own copy
 * when the channel brings it back: a visitor and an agent on the same node no longer wait for a
 * Redis round trip (and two wake-ups of a busy machine), and a node parses only other nodes' events.
 * Losing Redis for a while loses live events between nodes, never messages: they are committed
 * before publishing.
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
  /** Whether the channel is subscribed: only then does an event published here come back. */
  private subscribed = false;
  /**
   * This node's events on their way through Redis, in the order published: one connection's
   * PUBLISHes reach the channel in order, so this node's next copy is always the head.
   */
  private echoes: Array<{ raw: string; at: number }> = [];

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
      // Copies in flight when the subscription went are not coming back.
      this.subscribed = false;
      this.echoes = [];
      if (!this.closing) this.lost = true;
    });
    this.sub.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      // ioredis re-subscribes on reconnect; wait until the subscription is confirmed before resyncing.
      this.sub
        .subscribe(CHANNEL)
        .then(() => {
          this.subscribed = true;
          this.log.warn('redis subscription restored');
          for (const h of this.resyncHandlers) h();
        })
        .catch((err: Error) => this.log.warn({ err: err.message }, 'redis resubscribe failed'));
    });
    this.sub
      .subscribe(CHANNEL)
      .then(() => (this.subscribed = true))
      .catch((err: Error) => log.warn({ err: err.message }, 'redis subscribe failed'));
    this.sub.on('message', (_channel: string, raw: string) => {
      if (this.isEcho(raw)) return;
      let event: DomainEvent;
      try {
        event = JSON.parse(raw) as DomainEvent;
      } catch {
        return;
      }
      this.deliver(event);
    });
  }

  async publish(event: DomainEvent): Promise<void> {
    const raw = JSON.stringify(event);
    this.deliver(event);
    const echo = this.subscribed ? { raw, at: Date.now() } : null;
    if (echo) this.echoes.push(echo);
    try {
      await this.pub.publish(CHANNEL, raw);
    } catch (err) {
      // Not sent, so not coming back (a publish that timed out after Redis took it comes back once
      // more: delivered twice here, which clients already take, as after a resume).
      const i = echo ? this.echoes.indexOf(echo) : -1;
      if (i >= 0) this.echoes.splice(i, 1);
      this.log.warn({ err: (err as Error).message, type: event.type }, 'event not published; clients will catch up on reconnect');
    }
  }

  /** This node's own event back from the channel (delivered already when published). */
  private isEcho(raw: string): boolean {
    // A copy lost without the connection closing must not hold the queue: none takes a minute.
    const stale = Date.now() - ECHO_TIMEOUT_MS;
    while (this.echoes[0] && this.echoes[0].at < stale) this.echoes.shift();
    if (this.echoes[0]?.raw !== raw) return false;
    this.echoes.shift();
    return true;
  }

  private deliver(event: DomainEvent): void {
    for (const h of this.handlers) {
      try {
        h(event);
      } catch (err) {
        this.log.error({ err: (err as Error).message, type: event.type }, 'event handler failed');
      }
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
    this.echoes = [];
    this.resyncHandlers = [];
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
