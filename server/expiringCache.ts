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
