/**
 * Whether this node's storage can take writes: a full disk (SQLite's DATA_DIR, or PostgreSQL's own
 * disk) is a state of its own, not a stream of internal errors. The storage layer reports every
 * failed query or write unit here (dialects/sqlite.ts, dialects/postgres.ts, sqliteWriter.ts); the
 * first "disk full" failure starts an episode, which:
 * - makes clients' requests fail with `storage_full` (server/errors.ts), HTTP 503 and error frames;
 * - makes /healthz answer 503 with reason `storage_full`, and sets the `parley_storage_full` gauge;
 * - is logged once when it starts and once when it ends (listeners set by app.ts).
 *
 * The episode ends by itself when space returns: while it lasts, a probe runs every PROBE_EVERY_MS.
 * SQLite (embedded): the probe writes and fsyncs PROBE_BYTES in the database's directory, then
 * removes them — so "recovered" means there is room again, not merely that nothing was tried.
 * PostgreSQL: its disk is not ours to probe; the episode ends when no query failed for lack of space
 * during the last PG_QUIET_MS (a new failure starts a new episode).
 */
import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isStorageFull } from '../errors.js';

const PROBE_EVERY_MS = 2000;
const PROBE_BYTES = 256 * 1024;
const PG_QUIET_MS = 10_000;

export type StorageProbe = { kind: 'directory'; dir: string } | { kind: 'quiet' };

export class StorageHealth {
  private fullSince: number | null = null;
  private lastFailure = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(full: boolean, cause?: unknown) => void>();

  constructor(private readonly probe: StorageProbe) {}

  /** True while a disk-full episode lasts. */
  get full(): boolean {
    return this.fullSince !== null;
  }

  private readonly errorListeners = new Set<(err: unknown) => void>();

  /** `fn(err)` for every failed query or write unit of this storage (the storage-errors metric). */
  onError(fn: (err: unknown) => void): void {
    this.errorListeners.add(fn);
  }

  /** Called with every storage failure; only "disk full" ones matter to the episode. */
  readonly noteError = (err: unknown): void => {
    for (const fn of this.errorListeners) fn(err);
    if (!isStorageFull(err)) return;
    this.lastFailure = Date.now();
    if (this.fullSince !== null) return;
    this.fullSince = this.lastFailure;
    for (const fn of this.listeners) fn(true, err);
    this.timer = setInterval(() => this.check(), PROBE_EVERY_MS);
    this.timer.unref();
  };

  /** `fn(true, cause)` when an episode starts, `fn(false)` when it ends. */
  onChange(fn: (full: boolean, cause?: unknown) => void): void {
    this.listeners.add(fn);
  }

  /** Probes now (healthz calls it, so a recovered node says so at once); true when still full. */
  check(): boolean {
    if (this.fullSince === null) return false;
    if (!this.hasRoom()) return true;
    this.fullSince = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const fn of this.listeners) fn(false);
    return false;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private hasRoom(): boolean {
    if (this.probe.kind === 'quiet') return Date.now() - this.lastFailure > PG_QUIET_MS;
    const file = join(this.probe.dir, `.parley-space-probe-${process.pid}`);
    let fd: number | null = null;
    try {
      fd = openSync(file, 'w');
      const zeros = Buffer.alloc(PROBE_BYTES);
      // A nearly full disk takes part of a write and refuses the rest (ENOSPC) on the next one.
      for (let done = 0; done < PROBE_BYTES; ) done += writeSync(fd, zeros, done, PROBE_BYTES - done);
      fsyncSync(fd);
      return true;
    } catch {
      return false;
    } finally {
      if (fd !== null) closeSync(fd);
      try {
        unlinkSync(file);
      } catch {
        /* not created */
      }
    }
  }
}
