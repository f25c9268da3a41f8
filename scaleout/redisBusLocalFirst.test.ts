/**
 * The Redis bus delivers a node's own events at once and skips them when the channel brings them
 * back (events/redisBus.ts): each event reaches each node's handlers exactly once, a node's own in
 * the order published, and a visitor and an agent on the same node keep talking while Redis is down.
 * Two buses on a private Redis server (privateServices.ts), so stopping it touches nothing else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { RedisBus } from '../server/events/redisBus.js';
import type { DomainEvent } from '../server/events/domainEvents.js';
import { sleep, waitFor } from './harness.js';
import { startPrivateRedis, type PrivateRedis } from './privateServices.js';

const log = pino({ level: 'silent' });
/** A made-up event the handlers record by its tenant field: the bus passes events through untouched. */
const event = (n: string) => ({ type: 'visitors.changed', tenantId: n, visitorIds: null }) as DomainEvent;

describe('Redis bus: own events delivered at once, once', () => {
  let redis: PrivateRedis;
  const buses: RedisBus[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    if (!redis.isUp()) await redis.start();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  /** A bus on the private Redis, and what its one handler got (each event's tenant field), in order. */
  const node = () => {
    const bus = new RedisBus(redis.url, log);
    buses.push(bus);
    const got: string[] = [];
    bus.subscribe((e) => got.push(e.tenantId));
    return { bus, got };
  };
  const connected = async (a: ReturnType<typeof node>, b: ReturnType<typeof node>) => {
    // Both subscriptions confirmed: a probe from each reaches the other.
    await waitFor('buses subscribed', async () => {
      await a.bus.publish(event('probe-a'));
      await b.bus.publish(event('probe-b'));
      await sleep(20);
      return a.got.includes('probe-b') && b.got.includes('probe-a');
    }, 10_000, 50);
    await sleep(100);
    a.got.length = 0;
    b.got.length = 0;
  };

  it("hands a node's own event to its handlers before Redis has it, and once, in publish order", async () => {
    const a = node();
    const b = node();
    await connected(a, b);
    const published = Promise.all(['a1', 'a2', 'a3'].map((n) => a.bus.publish(event(n))));
    // Synchronously, within publish: no round trip to Redis first.
    expect(a.got).toEqual(['a1', 'a2', 'a3']);
    await published;
    await Promise.all(['b1', 'b2'].map((n) => b.bus.publish(event(n))));
    await waitFor('both nodes have all five', () => a.got.length >= 5 && b.got.length >= 5, 5000);
    await sleep(200); // an echo not skipped would arrive by now
    expect(a.got).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect([...b.got].sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(b.got.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
  });

  it('keeps delivering on the node while Redis is down, and exactly once again after it is back', async () => {
    const a = node();
    const b = node();
    await connected(a, b);
    await redis.stop();
    await a.bus.publish(event('during'));
    expect(a.got, 'a visitor and an agent on the same node still talk').toEqual(['during']);
    expect(b.got).toEqual([]);
    await redis.start();
    await connected(a, b);
    await a.bus.publish(event('after'));
    await waitFor('the other node has it', () => b.got.includes('after'), 5000);
    await sleep(200);
    expect(a.got).toEqual(['after']);
    expect(b.got).toEqual(['after']);
  });
});
