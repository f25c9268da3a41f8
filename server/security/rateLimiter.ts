/**
 * Fixed-window counters in memory, keyed by whatever the caller chooses (address, email, visitor).
 * Bounded: the map is cleared of expired windows as it is used, and capped in size.
 */
export class RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit; returns false when the key is over its limit. */
  hit(key: string, now = Date.now()): boolean {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size >= this.maxKeys) this.sweep(now);
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= this.limit;
  }

  /** True when the key is already over its limit, without counting a hit. */
  blocked(key: string, now = Date.now()): boolean {
    const w = this.windows.get(key);
    return !!w && w.resetAt > now && w.count >= this.limit;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    // Still full: drop the oldest half rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      let n = this.windows.size / 2;
      for (const k of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }
}
