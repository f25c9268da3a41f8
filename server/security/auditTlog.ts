/**
 * The access audit as a Merkle transparency log. The hash chain in the database (auditLog.ts) uses
 * no secret, so whoever can write the database can delete, edit, reorder or truncate entries and
 * recompute every hash and the head. This log closes that gap with state the database never holds:
 *
 *   leaf i      = entryBytes(audit_log row seq i+1) (the same canonical bytes the chain hashes)
 *   checkpoint  = c2sp.org/tlog-checkpoint, origin = the audit key's name, signed with
 *                 AUDIT_SIGNING_KEY (a note signer key in the environment or a file; generated into
 *                 DATA_DIR/audit-signing.key when unset) — never in the database
 *   node state  = DATA_DIR/audit-tlog/: every leaf hash the node has checkpointed, its latest
 *                 checkpoint and the history of its checkpoints
 *
 * Appending an access stays one INSERT (the chain); leaves are hashed in batches by the
 * checkpointer (auditCheckpointer.ts), not per access. `verifyAuditLog` (parley audit:verify)
 * recomputes the tree from the database and proves it against checkpoints obtained outside it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, linkSync, writeFileSync, appendFileSync, openSync, closeSync, writeSync, statSync, truncateSync, readSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Db } from '../storage/db.js';
import type { AuditEntry } from '../storage/schema.js';
import { entryBytes } from './auditLog.js';
import { formatCheckpoint, openCheckpoint, type VerifiedCheckpoint } from './tlog/checkpoint.js';
import { HASH_SIZE, leafHash, MerkleTree, verifyConsistency } from './tlog/merkle.js';
import type { WrittenLeaf } from './auditWritten.js';
import { generateSignerKey, noteSigner, parseSignerKey, signNote, SIG_ED25519, type NoteVerifier } from './tlog/note.js';

export interface AuditSigningKey {
  origin: string;
  privateKey: KeyObject;
  verifierKey: string;
  /** Where it came from: AUDIT_SIGNING_KEY, or the file generated in DATA_DIR. */
  source: 'env' | 'file';
}

type Source = Record<string, string | undefined>;
export const AUDIT_KEY_FILE = 'audit-signing.key';
export const AUDIT_TLOG_DIR = 'audit-tlog';

/**
 * AUDIT_SIGNING_KEY is a signer key (PRIVATE+KEY+<origin>+<id>+<base64>, Go's note format) or a file
 * holding one. Unset, a key is generated into DATA_DIR/audit-signing.key (0600), named
 * AUDIT_LOG_ORIGIN or <PUBLIC_URL host>/parley/audit.
 */
export function auditSigningKeyFrom(source: Source, dataDir: string, publicUrl: string, problems: string[]): AuditSigningKey | null {
  const raw = source.AUDIT_SIGNING_KEY?.trim();
  try {
    if (raw) {
      const text = raw.startsWith('PRIVATE+KEY+') ? raw : readFileSync(resolve(raw), 'utf8');
      const k = parseSignerKey(text);
      if (k.type !== SIG_ED25519) throw new Error('must be an Ed25519 (type 0x01) signer key');
      return { origin: k.name, privateKey: k.privateKey, verifierKey: k.verifierKey, source: 'env' };
    }
    const file = join(dataDir, AUDIT_KEY_FILE);
    if (!existsSync(file)) {
      const origin = source.AUDIT_LOG_ORIGIN?.trim() || `${new URL(publicUrl).host}/parley/audit`;
      mkdirSync(dataDir, { recursive: true });
      // Written whole, then linked into place: a concurrent reader sees no file or the whole key.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, generateSignerKey(origin, SIG_ED25519).signerKey + '\n', { mode: 0o600 });
      try {
        linkSync(tmp, file);
      } catch (err) {
        // Another process on this DATA_DIR generated it at the same moment: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    const k = parseSignerKey(readFileSync(file, 'utf8'));
    return { origin: k.name, privateKey: k.privateKey, verifierKey: k.verifierKey, source: 'file' };
  } catch (err) {
    problems.push(`AUDIT_SIGNING_KEY: ${(err as Error).message} (generate one with parley audit:keygen)`);
    return null;
  }
}

export function auditLeaf(row: AuditEntry): Buffer {
  const { hash: _hash, ...rest } = row;
  return Buffer.from(entryBytes(rest));
}

/**
 * The leaf that stands for entry `seq` when no node can say what it held (deleted before anybody
 * recorded it): a value no entry's bytes can hash to (entries are arrays starting with a number).
 * With it the tree goes on past a hole, so the entries after it stay provable; the hole itself is
 * reported (audit.tamper, and a gap in audit:verify), and restoring the entry later does not match.
 */
export function missingLeafHash(seq: number): Buffer {
  return leafHash(Buffer.from(JSON.stringify(['missing', seq])));
}

/** The node's audit log state outside the database: leaf hashes, latest checkpoint, checkpoint history. */
export class AuditTlogState {
  readonly tree = new MerkleTree();
  private constructor(readonly dir: string) {}

  /**
   * The record for the process that owns it: DATA_DIR/audit-tlog/owner holds the owner's pid; a
   * live other process keeps it (null), a dead one's claim is taken over. Several nodes on one
   * machine sharing DATA_DIR would otherwise append to the same leaf record.
   */
  static claim(dataDir: string): AuditTlogState | null {
    const dir = join(dataDir, AUDIT_TLOG_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const owner = join(dir, 'owner');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(owner, String(process.pid), { flag: 'wx', mode: 0o600 });
        return AuditTlogState.open(dataDir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(owner, 'utf8'));
        if (pid === process.pid) return AuditTlogState.open(dataDir);
        if (pid > 0 && isAlive(pid)) return null;
        rmSync(owner, { force: true });
      }
    }
    return null;
  }

  /** Gives the record up (node shutdown), so another node on this DATA_DIR can take it. */
  release(): void {
    const owner = join(this.dir, 'owner');
    try {
      if (Number(readFileSync(owner, 'utf8')) === process.pid) rmSync(owner, { force: true });
    } catch {
      /* already gone */
    }
  }

  static latestIn(dataDir: string): string | null {
    const f = join(dataDir, AUDIT_TLOG_DIR, 'checkpoint');
    return existsSync(f) ? readFileSync(f, 'utf8') : null;
  }

  static open(dataDir: string): AuditTlogState {
    const s = new AuditTlogState(join(dataDir, AUDIT_TLOG_DIR));
    mkdirSync(s.dir, { recursive: true, mode: 0o700 });
    const file = join(s.dir, 'leaf-hashes');
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      for (let at = 0; at + HASH_SIZE <= bytes.length; at += HASH_SIZE) s.tree.appendLeafHash(bytes.subarray(at, at + HASH_SIZE));
      // A hash torn by a crash mid-append would misalign every later one.
      if (bytes.length % HASH_SIZE !== 0 && claimedBy(s.dir)) truncateSync(file, bytes.length - (bytes.length % HASH_SIZE));
    }
    return s;
  }

  /** Bytes in the leaf record on disk (the checkpointer notices a record changed under it). */
  leafBytes(): number {
    try {
      return statSync(join(this.dir, 'leaf-hashes')).size;
    } catch {
      return 0;
    }
  }

  appendLeaves(hashes: Buffer[]): void {
    if (hashes.length === 0) return;
    const fd = openSync(join(this.dir, 'leaf-hashes'), 'a', 0o600);
    try {
      writeSync(fd, Buffer.concat(hashes));
    } finally {
      closeSync(fd);
    }
    for (const h of hashes) this.tree.appendLeafHash(h);
  }

  latest(): string | null {
    return AuditTlogState.latestIn(dirname(this.dir));
  }

  /** Every checkpoint this node signed, oldest first. */
  history(): string[] {
    const f = join(this.dir, 'checkpoints.jsonl');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { note: string }).note);
  }

  /** The newest checkpoints this node signed (the last `bytes` of the history: it grows by one per pass). */
  recentHistory(bytes = 256 * 1024): string[] {
    const f = join(this.dir, 'checkpoints.jsonl');
    if (!existsSync(f)) return [];
    const size = statSync(f).size;
    const buf = Buffer.alloc(Math.min(size, bytes));
    const fd = openSync(f, 'r');
    try {
      readSync(fd, buf, 0, buf.length, size - buf.length);
    } finally {
      closeSync(fd);
    }
    const lines = buf.toString('utf8').split('\n');
    if (buf.length < size) lines.shift(); // cut mid-line
    const out: string[] = [];
    for (const l of lines) {
      try {
        if (l) out.push((JSON.parse(l) as { note: string }).note);
      } catch {
        /* a torn line: the checkpoint file and the rest still count */
      }
    }
    return out;
  }

  save(note: string): void {
    const f = join(this.dir, 'checkpoint');
    writeFileSync(f + '.tmp', note, { mode: 0o600 });
    renameSync(f + '.tmp', f);
    appendFileSync(join(this.dir, 'checkpoints.jsonl'), JSON.stringify({ at: new Date().toISOString(), note }) + '\n', { mode: 0o600 });
  }
}

function claimedBy(dir: string): boolean {
  try {
    return Number(readFileSync(join(dir, 'owner'), 'utf8')) === process.pid;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function signAuditCheckpoint(key: AuditSigningKey, tree: MerkleTree): string {
  return signNote(formatCheckpoint({ origin: key.origin, size: tree.size, root: tree.root(), extensions: [] }), [noteSigner(key.origin, SIG_ED25519, key.privateKey)]);
}

/** The latest checkpoint this node published (from DATA_DIR, not the database), for reports and exports. */
export function publishedAuditCheckpoint(env: { dataDir: string; auditSigningKey: AuditSigningKey }): { origin: string; verifierKey: string; checkpoint: string | null } {
  return { origin: env.auditSigningKey.origin, verifierKey: env.auditSigningKey.verifierKey, checkpoint: AuditTlogState.latestIn(env.dataDir) };
}

/** Reads audit rows in seq order, page by page. */
export async function* auditRows(db: Db, afterSeq = 0, upToSeq: number | null = null, pageSize = 5000): AsyncGenerator<AuditEntry> {
  let after = afterSeq;
  for (;;) {
    let q = db.selectFrom('audit_log').selectAll().where('seq', '>', after);
    // seq is a 32-bit integer column on PostgreSQL: no bound beyond it is ever sent.
    if (upToSeq !== null) q = q.where('seq', '<=', Math.min(upToSeq, 2 ** 31 - 1));
    const page = await q.orderBy('seq').limit(pageSize).execute();
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
    // Between pages, the event loop serves what waits (a query's promise alone does not let socket
    // reads in: SQLite answers synchronously). The readers hash each row, so one page is one pause.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface AuditLogProblem {
  checkpoint: string;
  problem: 'bad_signature' | 'truncated' | 'rewritten' | 'inconsistent' | 'gap' | 'unlike_written';
  detail: string;
}

export interface AuditLogReport {
  entries: number;
  checkpoints: Array<{ source: string; size: number; ok: boolean }>;
  /** Entries newer than the largest valid checkpoint: not yet covered (at most one checkpoint interval old). */
  uncovered: number;
  problems: AuditLogProblem[];
}

/**
 * Recomputes the Merkle tree of every audit entry in the database and proves it against each
 * checkpoint (signed by `verifier`, obtained outside the database): a checkpoint of size n must
 * have the root of the first n entries — which proves every one of those entries — and every pair
 * of checkpoints must be consistent. Deleting, editing, reordering or truncating entries changes
 * that root whatever else in the database is recomputed. `leafHashes` (the node's own record, when
 * available) pinpoints the first entry that differs.
 */
export async function verifyAuditLog(
  db: Db,
  opts: { verifier: NoteVerifier; checkpoints: Array<{ source: string; note: string }>; leafHashes?: MerkleTree; written?: Map<number, WrittenLeaf> },
): Promise<AuditLogReport> {
  const tree = new MerkleTree();
  const problems: AuditLogProblem[] = [];
  const written = opts.written ?? new Map<number, WrittenLeaf>();
  const unlike: number[] = [];
  let expected = 1;
  for await (const row of auditRows(db)) {
    if (row.seq !== expected) {
      problems.push({ checkpoint: '-', problem: 'gap', detail: `entries ${expected}..${row.seq - 1} are missing from the database` });
      // The checkpointer puts the missing-entry leaf in a hole no node could fill: the same here.
      for (; expected < row.seq; expected++) {
        tree.appendLeafHash(missingLeafHash(expected));
        if (written.has(expected)) unlike.push(expected);
      }
    }
    const h = leafHash(auditLeaf(row));
    tree.appendLeafHash(h);
    const w = written.get(row.seq);
    if (w && !w.leaf.equals(h)) unlike.push(row.seq);
    expected++;
  }
  // Entries a node wrote (DATA_DIR/audit-tlog/written) that no checkpoint covers yet: the database must still hold them as written.
  for (const seq of written.keys()) if (seq >= expected) unlike.push(seq);
  if (unlike.length) {
    unlike.sort((a, b) => a - b);
    problems.push({ checkpoint: 'written record', problem: 'unlike_written', detail: `${unlike.length} entries differ from what the node wrote (first: seq ${unlike[0]}): edited, deleted or replaced since they were acknowledged` });
  }
  const valid: Array<VerifiedCheckpoint & { source: string }> = [];
  const report: AuditLogReport = { entries: tree.size, checkpoints: [], uncovered: 0, problems };
  for (const c of opts.checkpoints) {
    let cp: VerifiedCheckpoint;
    try {
      cp = openCheckpoint(c.note, opts.verifier.name, [opts.verifier]);
    } catch (err) {
      problems.push({ checkpoint: c.source, problem: 'bad_signature', detail: (err as Error).message });
      report.checkpoints.push({ source: c.source, size: -1, ok: false });
      continue;
    }
    valid.push({ ...cp, source: c.source });
    let ok = true;
    if (cp.size > tree.size) {
      ok = false;
      problems.push({ checkpoint: c.source, problem: 'truncated', detail: `the checkpoint covers ${cp.size} entries but the database holds ${tree.size}: entries were deleted` });
    } else if (!tree.root(cp.size).equals(cp.root)) {
      ok = false;
      let where = '';
      if (opts.leafHashes) {
        const n = Math.min(cp.size, opts.leafHashes.size);
        for (let i = 0; i < n; i++) {
          if (!tree.leafHashAt(i).equals(opts.leafHashes.leafHashAt(i))) {
            where = `; the first entry that differs from what this node checkpointed is seq ${i + 1}`;
            break;
          }
        }
      }
      problems.push({ checkpoint: c.source, problem: 'rewritten', detail: `entries 1..${cp.size} do not hash to the checkpoint's root: entries were edited, deleted, inserted or reordered${where}` });
    }
    report.checkpoints.push({ source: c.source, size: cp.size, ok });
  }
  // Checkpoints must agree with each other, whatever the database holds now.
  const sorted = [...valid].sort((a, b) => a.size - b.size);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const provable = b.size <= tree.size && tree.root(b.size).equals(b.root);
    const consistent = a.size === b.size ? a.root.equals(b.root) : provable && verifyConsistency(a.size, b.size, a.root, b.root, tree.consistencyProof(a.size, b.size));
    if (!consistent && (a.size === b.size || provable)) problems.push({ checkpoint: `${a.source} / ${b.source}`, problem: 'inconsistent', detail: `checkpoints of size ${a.size} and ${b.size} are not consistent (a split view of the audit log)` });
  }
  const covered = Math.max(0, ...report.checkpoints.filter((c) => c.ok).map((c) => c.size));
  report.uncovered = tree.size - covered;
  return report;
}

/** Reads the log's checkpoint from a witness state file (parley witness --state). */
export function checkpointFromWitnessState(file: string, origin: string): string | null {
  const state = JSON.parse(readFileSync(file, 'utf8')) as { logs?: Record<string, { checkpoint: string }> };
  return state.logs?.[origin]?.checkpoint ?? null;
}
