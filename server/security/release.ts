/**
 * Signed releases. A build writes dist/public/manifest.json (the SHA-384 of every served file);
 * signing it appends an entry to a hash-chained, append-only release log:
 *
 *   body  = { seq, version, manifestSha384, keyId, publicKey, signedAt, prevHash }
 *   signature = Ed25519(canonical(body))          — covers the manifest (through its SHA-384)
 *                                                   and the entry's place in the chain
 *   hash  = SHA-256(canonical({ ...body, signature }))   — the next entry's prevHash
 *
 * `canonical` is JSON with object keys sorted and no whitespace, so formatting never matters but
 * every value does. The manifest's SHA-384 is taken over canonical(manifest) as well.
 *
 * Beside the manifest the signer writes release.json (this release's entry) and release-log.json
 * (the whole log up to it), which the server serves at /.well-known/parley-releases.json.
 * Trust never comes from a file next to the release: the server and `parley release:verify` only
 * accept signatures by keys from RELEASE_PUBLIC_KEY, or, when that is unset, the local development
 * key (see docs/SECURITY.md).
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from './canonicalJson.js';
import { publishReleaseTlog, RELEASE_CHECKPOINT_FILE, RELEASE_PROOF_FILE, releaseLogOrigin } from './releaseTlog.js';

export { canonicalJson };
// Keys and where they live are in releaseKeys.ts; re-exported so release.ts stays the one entry point.
export * from './releaseKeys.js';
import { keyIdOf, parsePublicKey, rawPublicKey, type TrustedKey } from './releaseKeys.js';

export const MANIFEST_FILE = 'manifest.json';
export const RELEASE_ENTRY_FILE = 'release.json';
export const RELEASE_LOG_FILE = 'release-log.json';
/** Files in the public directory that describe the release rather than being served. */
export const RELEASE_META_FILES: ReadonlySet<string> = new Set([MANIFEST_FILE, RELEASE_ENTRY_FILE, RELEASE_LOG_FILE, RELEASE_CHECKPOINT_FILE, RELEASE_PROOF_FILE]);
export const LOG_FORMAT = 'parley-release-log/1';
export const GENESIS = '0'.repeat(64);

export interface Manifest {
  version: string;
  builtAt: string;
  files: Record<string, string>;
}

export interface ReleaseEntry {
  seq: number;
  version: string;
  manifestSha384: string;
  keyId: string;
  /** The signer's Ed25519 public key, base64 of the raw 32 bytes. Informational: trust comes from config. */
  publicKey: string;
  signedAt: string;
  prevHash: string;
  signature: string;
  hash: string;
  /** How the build was made; part of the signed body when present (entries before issue 16 have none). */
  provenance?: Provenance;
  /**
   * In the log only (not in release.json): the manifest itself, bound by manifestSha384, so the
   * log's leaf names every served file's SRI hash. Entries before issue 16 have none.
   */
  manifest?: Manifest;
}

export interface Provenance {
  builder: string;
  node: string;
  commit: string | null;
  /** Uncommitted changes in the checkout at build time. */
  dirty: boolean | null;
}

export interface ReleaseLog {
  format: typeof LOG_FORMAT;
  entries: ReleaseEntry[];
}


// ------------------------------------------------------------------ canonical bytes and hashes

export const sri384 = (bytes: Buffer | string): string => 'sha384-' + createHash('sha384').update(bytes).digest('base64');
const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export function manifestSha384(manifest: Manifest): string {
  return sri384(canonicalJson(manifest));
}

function entryBody(e: Omit<ReleaseEntry, 'signature' | 'hash'>): string {
  // canonicalJson drops undefined: an entry without provenance has exactly its pre-issue-16 bytes.
  return canonicalJson({ seq: e.seq, version: e.version, manifestSha384: e.manifestSha384, keyId: e.keyId, publicKey: e.publicKey, signedAt: e.signedAt, prevHash: e.prevHash, provenance: e.provenance });
}

export function entryHash(e: Omit<ReleaseEntry, 'hash'>): string {
  return sha256hex(entryBody(e) + '\n' + e.signature);
}

// ------------------------------------------------------------------ the log

export function readLog(path: string): ReleaseLog {
  if (!existsSync(path)) return { format: LOG_FORMAT, entries: [] };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as ReleaseLog;
  if (parsed?.format !== LOG_FORMAT || !Array.isArray(parsed.entries)) throw new Error(`${path} is not a Parley release log`);
  return parsed;
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function withLock<T>(path: string, fn: () => T): T {
  const lock = path + '.lock';
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than a minute was left by a crashed signer.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) unlinkSync(lock);
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`release log ${path} is locked by another signer (${lock})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* ignore */
    }
  }
}

export interface LogProblem {
  /** Position in the log (0-based) and the entry's seq when readable. */
  index: number;
  seq: number | null;
  problem: 'malformed' | 'bad_seq' | 'broken_link' | 'bad_hash' | 'untrusted_key' | 'bad_signature';
  detail: string;
}

/**
 * Checks every entry: consecutive seq, prevHash = previous hash, hash recomputed, and the signature
 * — by the trusted key with the entry's keyId when `trusted` is given, else by the entry's own key
 * (self-consistency only; used by the signer before appending).
 */
export function verifyLog(log: ReleaseLog, trusted?: TrustedKey[]): LogProblem[] {
  const problems: LogProblem[] = [];
  let prev = GENESIS;
  log.entries.forEach((e, index) => {
    const seq = typeof e?.seq === 'number' ? e.seq : null;
    const fields = ['version', 'manifestSha384', 'keyId', 'publicKey', 'signedAt', 'prevHash', 'signature', 'hash'] as const;
    if (!e || typeof e !== 'object' || seq === null || fields.some((f) => typeof e[f] !== 'string')) {
      problems.push({ index, seq, problem: 'malformed', detail: 'entry is missing fields' });
      prev = typeof e?.hash === 'string' ? e.hash : prev;
      return;
    }
    if (seq !== index + 1) problems.push({ index, seq, problem: 'bad_seq', detail: `expected seq ${index + 1}` });
    if (e.prevHash !== prev) problems.push({ index, seq, problem: 'broken_link', detail: 'prevHash does not match the previous entry (an entry was removed, inserted or reordered)' });
    for (const p of checkEntry(e, trusted)) problems.push({ index, seq, ...p });
    if (e.manifest !== undefined && manifestSha384(e.manifest) !== e.manifestSha384) problems.push({ index, seq, problem: 'bad_hash', detail: 'the manifest recorded in the log does not match the signed manifestSha384' });
    prev = e.hash;
  });
  return problems;
}

/** Hash and signature of one entry (not its place in the chain). */
export function checkEntry(e: ReleaseEntry, trusted?: TrustedKey[]): Array<{ problem: LogProblem['problem']; detail: string }> {
  const out: Array<{ problem: LogProblem['problem']; detail: string }> = [];
  if (entryHash(e) !== e.hash) out.push({ problem: 'bad_hash', detail: 'entry content does not match its hash (the entry was changed)' });
  let key: KeyObject | null = null;
  if (trusted) {
    const t = trusted.find((k) => k.keyId === e.keyId && k.publicKey === e.publicKey);
    if (!t) out.push({ problem: 'untrusted_key', detail: `signed by key ${e.keyId}, which is not trusted` });
    else key = t.key;
  } else {
    try {
      key = parsePublicKey(e.publicKey).key;
    } catch {
      out.push({ problem: 'malformed', detail: 'publicKey is not an Ed25519 key' });
    }
  }
  if (key) {
    let ok = false;
    try {
      ok = verify(null, Buffer.from(entryBody(e)), key, Buffer.from(e.signature, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) out.push({ problem: 'bad_signature', detail: 'signature does not verify' });
  }
  return out;
}

/** Signs the manifest in `publicDir`, appends the entry to the log at `logPath`, writes release.json and release-log.json beside the manifest. */
export function signRelease(opts: { publicDir: string; privateKey: KeyObject; logPath: string; now?: Date; provenance?: Provenance; origin?: string }): ReleaseEntry {
  const manifest = JSON.parse(readFileSync(join(opts.publicDir, MANIFEST_FILE), 'utf8')) as Manifest;
  const pub = createPublicKey(opts.privateKey);
  const raw = rawPublicKey(pub);
  return withLock(opts.logPath, () => {
    const log = readLog(opts.logPath);
    const problems = verifyLog(log);
    if (problems.length) {
      const p = problems[0]!;
      throw new Error(`release log ${opts.logPath} is broken at entry ${p.seq ?? p.index + 1} (${p.problem}: ${p.detail}); refusing to append. Run parley release:verify --log ${opts.logPath}`);
    }
    const last = log.entries[log.entries.length - 1];
    const body = {
      seq: log.entries.length + 1,
      version: String(manifest.version),
      manifestSha384: manifestSha384(manifest),
      keyId: keyIdOf(raw),
      publicKey: raw.toString('base64'),
      signedAt: (opts.now ?? new Date()).toISOString(),
      prevHash: last ? last.hash : GENESIS,
      provenance: opts.provenance,
    };
    const signature = sign(null, Buffer.from(entryBody(body)), opts.privateKey).toString('base64');
    const entry: ReleaseEntry = { ...body, signature, hash: entryHash({ ...body, signature }) };
    const next: ReleaseLog = { format: LOG_FORMAT, entries: [...log.entries, { ...entry, manifest }] };
    // The Merkle log over the same entries: refuses (before anything is written) a log that is not
    // an append-only extension of the last checkpoint this signer published.
    const tlog = publishReleaseTlog({ entries: next.entries, privateKey: opts.privateKey, origin: opts.origin ?? releaseLogOrigin(), logPath: opts.logPath });
    const text = JSON.stringify(next, null, 2) + '\n';
    writeAtomic(opts.logPath, text);
    tlog.commit();
    writeFileSync(join(opts.publicDir, RELEASE_ENTRY_FILE), JSON.stringify(entry, null, 2) + '\n');
    writeFileSync(join(opts.publicDir, RELEASE_LOG_FILE), text);
    writeFileSync(join(opts.publicDir, RELEASE_CHECKPOINT_FILE), tlog.checkpoint);
    writeFileSync(join(opts.publicDir, RELEASE_PROOF_FILE), tlog.proof);
    return entry;
  });
}

// ------------------------------------------------------------------ verifying a release

export type SignedManifest =
  | { ok: true; manifest: Manifest; entry: ReleaseEntry; manifestBytes: Buffer; entryBytes: Buffer }
  | { ok: false; reason: string };

/** The manifest in `publicDir`, if and only if release.json signs it with a trusted key. */
export function readSignedManifest(publicDir: string, trusted: TrustedKey[]): SignedManifest {
  const manifestPath = join(publicDir, MANIFEST_FILE);
  const entryPath = join(publicDir, RELEASE_ENTRY_FILE);
  if (!existsSync(manifestPath)) return { ok: false, reason: `no ${MANIFEST_FILE} (run npm run build)` };
  if (!existsSync(entryPath)) return { ok: false, reason: `the release is not signed (no ${RELEASE_ENTRY_FILE})` };
  if (trusted.length === 0) return { ok: false, reason: 'no trusted release key is configured (set RELEASE_PUBLIC_KEY)' };
  try {
    const manifestBytes = readFileSync(manifestPath);
    const entryBytes = readFileSync(entryPath);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    const entry = JSON.parse(entryBytes.toString('utf8')) as ReleaseEntry;
    if (!manifest || typeof manifest.files !== 'object' || manifest.files === null) return { ok: false, reason: `${MANIFEST_FILE} has no files` };
    const fields = ['version', 'manifestSha384', 'keyId', 'publicKey', 'signedAt', 'prevHash', 'signature', 'hash'] as const;
    if (!entry || typeof entry !== 'object' || typeof entry.seq !== 'number' || fields.some((f) => typeof entry[f] !== 'string')) {
      return { ok: false, reason: `${RELEASE_ENTRY_FILE} is malformed` };
    }
    const problems = checkEntry(entry, trusted);
    if (problems.length) return { ok: false, reason: `${RELEASE_ENTRY_FILE}: ${problems.map((p) => p.detail).join('; ')}` };
    if (entry.manifestSha384 !== manifestSha384(manifest)) return { ok: false, reason: `${MANIFEST_FILE} does not match its signed SHA-384 (the manifest was changed after signing)` };
    return { ok: true, manifest, entry, manifestBytes, entryBytes };
  } catch (err) {
    return { ok: false, reason: `unreadable release files: ${(err as Error).message}` };
  }
}

export interface ReleaseReport {
  ok: boolean;
  release: { seq: number; version: string; keyId: string; signedAt: string } | null;
  manifest: string | null;
  files: Array<{ path: string; problem: 'changed' | 'missing' | 'unlisted' }>;
  log: { path: string; entries: number; problems: LogProblem[]; containsRelease: boolean } | null;
}

/** Everything `parley release:verify` checks: signature, every file's bytes, and the whole log chain. */
export function verifyRelease(opts: { publicDir: string; trusted: TrustedKey[]; logPath?: string; listFiles?: () => string[] }): ReleaseReport {
  const signed = readSignedManifest(opts.publicDir, opts.trusted);
  const report: ReleaseReport = { ok: false, release: null, manifest: signed.ok ? null : signed.reason, files: [], log: null };
  if (signed.ok) {
    report.release = { seq: signed.entry.seq, version: signed.entry.version, keyId: signed.entry.keyId, signedAt: signed.entry.signedAt };
    for (const [path, expected] of Object.entries(signed.manifest.files)) {
      const file = join(opts.publicDir, path);
      if (!existsSync(file)) report.files.push({ path, problem: 'missing' });
      else if (sri384(readFileSync(file)) !== expected) report.files.push({ path, problem: 'changed' });
    }
    for (const path of opts.listFiles?.() ?? []) {
      if (!RELEASE_META_FILES.has(path) && !(path in signed.manifest.files)) report.files.push({ path, problem: 'unlisted' });
    }
  }
  const logPath = opts.logPath ?? join(opts.publicDir, RELEASE_LOG_FILE);
  if (existsSync(logPath)) {
    try {
      const log = readLog(logPath);
      const problems = verifyLog(log, opts.trusted);
      const containsRelease = signed.ok && log.entries.some((e) => e.hash === signed.entry.hash);
      report.log = { path: logPath, entries: log.entries.length, problems, containsRelease };
    } catch (err) {
      report.log = { path: logPath, entries: 0, problems: [{ index: 0, seq: null, problem: 'malformed', detail: (err as Error).message }], containsRelease: false };
    }
  }
  report.ok = signed.ok && report.files.length === 0 && !!report.log && report.log.problems.length === 0 && report.log.containsRelease;
  return report;
}
