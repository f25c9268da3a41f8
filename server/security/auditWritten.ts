/**
 * What this process wrote to the access audit, kept outside the database from the moment each
 * entry commits (auditLog.ts tells it, before the caller hears "recorded"). The checkpointer hashed
 * entries only every AUDIT_CHECKPOINT_MS, reading them back from the database: an entry rewritten
 * or deleted before that pass, or before a node's first checkpoint, was adopted as the database
 * held it. The writer knows the canonical bytes, so it keeps their leaf hash:
 *
 *   in memory       seq → leaf hash and tenant, until a checkpoint covers the entry;
 *   DATA_DIR        audit-tlog/written/<pid>: one line per entry ("<seq> <hex leaf> <tenant|->"),
 *                   appended and fdatasynced per committed group, so neither a restart nor a
 *                   machine crash loses a line that was told; compacted when a checkpoint
 *                   covers it, and the files of processes that are gone are removed once covered.
 *
 * The checkpointer compares the database with this record (and appends the leaf the node wrote,
 * not the database's, so the next checkpoint commits to the real entry), and audit:verify reads the
 * files too: a rewrite of an acknowledged entry is provable at once, not from the next pass.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CommittedLeaf } from './auditLog.js';

export interface WrittenLeaf {
  leaf: Buffer;
  tenantId: string | null;
}

export const WRITTEN_DIR = 'written';
/** Entries kept in memory at most (about 150 bytes each); beyond, the oldest stay in the file only. */
const MAX_IN_MEMORY = 1_000_000;

export class WrittenRecord {
  private readonly mine = new Map<number, WrittenLeaf>();
  /** Seqs this process committed twice with different bytes: the chain head was moved back and the seq reused. */
  readonly reused: Array<{ seq: number; tenantId: string | null }> = [];
  readonly file: string;
  private failed = false;
  /** Kept open between groups: an open and a close per group cost more than the write (docs/BENCHMARKS.md). */
  private fd: number | null = null;

  constructor(
    readonly dir: string,
    private readonly log: Pick<Logger, 'error'>,
    /** Makes a write durable (fdatasync); a test passes its own to see that record() waits for it. */
    private readonly sync: (fd: number) => void = fdatasyncSync,
  ) {
    mkdirSync(join(dir, WRITTEN_DIR), { recursive: true, mode: 0o700 });
    this.file = join(dir, WRITTEN_DIR, String(process.pid));
    // A previous process with this pid (a container restarted with pid 1) left its record: keep it.
    for (const [seq, w] of parseWritten(this.file)) this.mine.set(seq, w);
  }

  record(leaves: CommittedLeaf[]): void {
    let text = '';
    for (const l of leaves) {
      const had = this.mine.get(l.seq);
      if (had) {
        if (!had.leaf.equals(l.leaf)) this.reused.push({ seq: l.seq, tenantId: had.tenantId });
        continue; // the first entry under a seq is the one acknowledged first; keep it
      }
      this.mine.set(l.seq, { leaf: l.leaf, tenantId: l.tenantId });
      text += lineOf(l.seq, l);
    }
    if (this.mine.size > MAX_IN_MEMORY) {
      for (const seq of this.mine.keys()) {
        this.mine.delete(seq);
        if (this.mine.size <= MAX_IN_MEMORY) break;
      }
    }
    try {
      // One write and one fdatasync per committed group, before the caller hears "recorded": a crash
      // of the machine, not only of the process, keeps the leaf of every entry that released data.
      // Groups are per audited request, or per conversation per socket session on the live path,
      // never per message (the cost: docs/BENCHMARKS.md, "Audit transparency log").
      if (text) {
        const fd = (this.fd ??= openSync(this.file, 'a', 0o600));
        writeSync(fd, text);
        this.sync(fd);
      }
    } catch (err) {
      if (!this.failed) this.log.error({ err: (err as Error).message, file: this.file }, 'the audit written record could not be appended to (kept in memory only)');
      this.failed = true;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** What this process wrote and no checkpoint has covered yet. */
  own(): Map<number, WrittenLeaf> {
    return new Map(this.mine);
  }

  /**
   * What every process on this DATA_DIR wrote: this one's memory and the others' files. Two of them
   * holding different leaves for one seq is a rewrite too (the seq was reused): `conflicts`.
   */
  all(): { leaves: Map<number, WrittenLeaf>; conflicts: Array<{ seq: number; tenantId: string | null }> } {
    const leaves = new Map(this.mine);
    const conflicts = [...this.reused];
    for (const name of otherFiles(this.dir, this.file)) {
      for (const [seq, w] of parseWritten(join(this.dir, WRITTEN_DIR, name))) {
        const had = leaves.get(seq);
        if (!had) leaves.set(seq, w);
        else if (!had.leaf.equals(w.leaf)) conflicts.push({ seq, tenantId: w.tenantId });
      }
    }
    return { leaves, conflicts };
  }

  /**
   * Drops what the checkpoints now cover (seq ≤ size) and was compared with the database (in
   * `compared`, the snapshot the pass compared: an entry told after it waits for the next pass):
   * from memory, this process's file, and the files of processes that are gone.
   */
  forget(size: number, compared: ReadonlyMap<number, WrittenLeaf>): void {
    let dropped = false;
    for (const [seq, w] of this.mine) {
      if (seq <= size && compared.get(seq)?.leaf.equals(w.leaf)) {
        this.mine.delete(seq);
        dropped = true;
      }
    }
    if (dropped) {
      // Synchronous, like record(): no append of this process can fall between the two.
      // On disk before it replaces the record, and the rename itself synced (the directory): a crash
      // leaves the old record or the new one, whole.
      const tmp = `${this.file}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, [...this.mine].map(([seq, w]) => lineOf(seq, w)).join(''));
        this.sync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      syncDir(join(this.dir, WRITTEN_DIR));
      this.close(); // the next group opens the new file

    }
    for (const name of otherFiles(this.dir, this.file)) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || isAlive(pid)) continue;
      const f = join(this.dir, WRITTEN_DIR, name);
      if ([...parseWritten(f).keys()].every((seq) => seq <= size)) rmSync(f, { force: true });
    }
  }

  /** Every file's entries (audit:verify). */
  static readAll(dataDirTlog: string): Map<number, WrittenLeaf> {
    const out = new Map<number, WrittenLeaf>();
    const dir = join(dataDirTlog, WRITTEN_DIR);
    if (!existsSync(dir)) return out;
    for (const name of readdirSync(dir)) if (!name.endsWith('.tmp')) for (const [seq, w] of parseWritten(join(dir, name))) if (!out.has(seq)) out.set(seq, w);
    return out;
  }
}

/** One entry's line; parseWritten reads it back. */
function lineOf(seq: number, w: WrittenLeaf): string {
  return `${seq} ${w.leaf.toString('hex')} ${w.tenantId ?? '-'}\n`;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function otherFiles(dir: string, own: string): string[] {
  try {
    return readdirSync(join(dir, WRITTEN_DIR)).filter((n) => !n.endsWith('.tmp') && join(dir, WRITTEN_DIR, n) !== own);
  } catch {
    return [];
  }
}

/** A torn last line (a crash mid-append) is skipped. */
function parseWritten(file: string): Map<number, WrittenLeaf> {
  const out = new Map<number, WrittenLeaf>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^(\d+) ([0-9a-f]{64}) (\S+)$/.exec(line);
    if (m) out.set(Number(m[1]), { leaf: Buffer.from(m[2]!, 'hex'), tenantId: m[3] === '-' ? null : m[3]! });
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
