/**
 * Which conversations a socket has already recorded in the access audit as delivered live (one entry
 * per conversation per socket session, not one per event). Memory is bounded: when the bound is
 * reached the set starts over, so later deliveries are recorded again. A duplicate entry is harmless;
 * a delivery never recorded would be a hole in "every exposure can be listed".
 */
export class SeenOnce {
  private readonly seen = new Set<string>();

  constructor(private readonly bound = 10_000) {}

  /** True the first time `id` is seen (since the last start-over): the caller records it. */
  first(id: string): boolean {
    if (this.seen.has(id)) return false;
    if (this.seen.size >= this.bound) this.seen.clear();
    this.seen.add(id);
    return true;
  }

  /** Forgets `id` (its recording failed: the next delivery tries again). */
  forget(id: string): void {
    this.seen.delete(id);
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }
}
