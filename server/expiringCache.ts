const RECENCY_MS = 1000;

/**
 * A bounded map whose entries expire: the in-memory copies of facts that another node or process
 * may change (unwrapped keys, visitor names, a tenant's webhooks). When full, the least recently
 * used entry (to within RECENCY_MS) goes first; an entry older than `ttlMs` is a miss.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; at: number; used: number }>();

  constructor(private readonly opts: { maxEntries: number; ttlMs: number }) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    const now = Date.now();
    if (now - hit.at > this.opts.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last, but moved at most once per RECENCY_MS: the message path reads
    // several of these caches per message, and a delete and a set on every hit were most of their
    // cost; which entry is evicted first only needs to be right to within that time.
    if (now - hit.used >= RECENCY_MS) {
      this.entries.delete(key);
      hit.used = now;
      this.entries.set(key, hit);
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    const now = Date.now();
    this.entries.set(key, { value, at: now, used: now });
    while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every entry whose key starts with `prefix` (e.g. all of one tenant's). */
  deleteWithPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * One read per key at a time, its result kept for `ttlMs`: callers that arrive while a read is in
 * flight wait for that one read, and once it has resolved `known` gives the result without a
 * promise (the message path asks per message; a promise and a microtask turn each was measurable).
 * A failed read is not kept, so the next caller reads again.
 */
export class ExpiringReads<V> {
  private readonly cache: ExpiringCache<{ reading: Promise<V>; known?: { value: V } }>;

  constructor(opts: { maxEntries: number; ttlMs: number }) {
    this.cache = new ExpiringCache(opts);
  }

  /** The cached or in-flight result, else `read()`'s; `fresh` reads again whatever is cached (and caches that). */
  get(key: string, read: () => Promise<V>, fresh = false): Promise<V> {
    const hit = fresh ? undefined : this.cache.get(key);
    if (hit) return hit.reading;
    const entry: { reading: Promise<V>; known?: { value: V } } = { reading: read().then((value) => ((entry.known = { value }), value)) };
    this.cache.set(key, entry);
    entry.reading.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
    return entry.reading;
  }

  /** The result of a read that has resolved within `ttlMs`, without a promise; undefined when there is none. */
  known(key: string): { value: V } | undefined {
    return this.cache.get(key)?.known;
  }

  delete(key: string): void {
    this.cache.delete(key);
  }
}
