import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiringCache } from './expiringCache.js';

describe('ExpiringCache', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('evicts the least recently used entry when full (recency counted to the second)', () => {
    const cache = new ExpiringCache<number>({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    vi.advanceTimersByTime(1000);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    // Used again within the same second: the order is left as it is (a was moved a moment ago).
    vi.advanceTimersByTime(1000);
    expect(cache.get('c')).toBe(3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4);
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, undefined, 4]);
  });

  it('misses, and forgets, an entry older than its time to live, however often it is read', () => {
    const cache = new ExpiringCache<string>({ maxEntries: 10, ttlMs: 5000 });
    cache.set('k', 'v');
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1000);
      expect(cache.get('k')).toBe('v');
    }
    vi.advanceTimersByTime(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
