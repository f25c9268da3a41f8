import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiringCache, ExpiringReads } from './expiringCache.js';

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

describe('ExpiringReads', () => {
  it('shares one read in flight, knows its result once resolved, and keeps no failed read', async () => {
    const reads = new ExpiringReads<number>({ maxEntries: 10, ttlMs: 60_000 });
    let calls = 0;
    const read = () => Promise.resolve(++calls);
    const [a, b] = [reads.get('k', read), reads.get('k', read)];
    expect(reads.known('k')).toBeUndefined(); // not resolved yet
    expect([await a, await b, calls]).toEqual([1, 1, 1]);
    expect(reads.known('k')).toEqual({ value: 1 });
    expect(await reads.get('k', read, true)).toBe(2); // fresh: read again, and that is kept
    expect(reads.known('k')).toEqual({ value: 2 });
    await expect(reads.get('x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await reads.get('x', read)).toBe(3); // the failure was not kept
  });
});
