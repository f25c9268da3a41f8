/**
 * Which conversations a socket has already recorded in the access audit (one entry per conversation
 * per socket session, not one per event), counting only entries that are *durable*: a frame carrying
 * a conversation's data may leave only once its entry is written (docs/SECURITY.md, *Access audit*),
 * so "being written" is not "recorded". A write in flight is shared by every frame that needs it; a
 * failed one is forgotten, so the next sight writes again. Memory is bounded: when the bound is
 * reached the set starts over, so later deliveries are recorded again. A duplicate entry is
 * harmless; a delivery never recorded would be a hole in "every exposure can be listed".
 */
export class RecordedOnce {
  private readonly done = new Set<string>();
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly bound = 10_000) {}

  /** Whether `id`'s entry is durable (the common case on the message path: a Set lookup, nothing else). */
  has(id: string): boolean {
    return this.done.has(id);
  }

  /** `id`'s entry: null when durable already, else the write in flight for it (started with `write` if none is). */
  entry(id: string, write: () => Promise<void>): Promise<void> | null {
    if (this.done.has(id)) return null;
    return this.writing.get(id) ?? this.track([id], write());
  }

  /** Resolves once every id's entry is durable: those not yet written are written together with `write(fresh)`, those in flight are waited for. */
  all(ids: readonly string[], write: (fresh: string[]) => Promise<void>): Promise<void> {
    const waits: Promise<void>[] = [];
    const fresh: string[] = [];
    for (const id of new Set(ids)) {
      if (this.done.has(id)) continue;
      const inFlight = this.writing.get(id);
      if (inFlight) waits.push(inFlight);
      else fresh.push(id);
    }
    if (fresh.length) waits.push(this.track(fresh, write(fresh)));
    return Promise.all(waits).then(() => undefined);
  }

  private track(ids: string[], write: Promise<void>): Promise<void> {
    const tracked = write.then(
      () => {
        for (const id of ids) {
          this.writing.delete(id);
          if (this.done.size >= this.bound) this.done.clear();
          this.done.add(id);
        }
      },
      (err: unknown) => {
        for (const id of ids) this.writing.delete(id);
        throw err;
      },
    );
    // Whoever waits on it handles the failure; a frame still queued behind another need not have yet.
    tracked.catch(() => {});
    for (const id of ids) this.writing.set(id, tracked);
    return tracked;
  }
}
