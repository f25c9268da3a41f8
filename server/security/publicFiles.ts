/**
 * The files Parley serves to browsers (widget frame, console, loader), held in memory and served
 * only if the release manifest is signed by a trusted key (server/security/release.ts) and each
 * file's bytes match it. Anything else is never served: its requests get 503.
 *
 * `recheck()` re-reads the disk (the release guard calls it every RELEASE_RECHECK_MS): a served
 * file, the manifest or the signature that changed on disk is reported once, and a changed file is
 * from then on refused (503) until the node restarts on a verified release — a node that restarted
 * on the changed disk would refuse it too, so every node answers the same.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';
import {
  MANIFEST_FILE,
  RELEASE_ENTRY_FILE,
  RELEASE_LOG_FILE,
  readSignedManifest,
  sri384,
  type ReleaseEntry,
  type TrustedKey,
} from './release.js';
import { RELEASE_CHECKPOINT_FILE, RELEASE_PROOF_FILE, ReleaseTransparency, releaseLogOrigin } from './releaseTlog.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface PublicFile {
  body: Buffer;
  /** `sha384-<base64>`, as in SRI attributes. */
  integrity: string;
  type: string;
}

export type Lookup = { file: PublicFile } | { tampered: true } | null;

/** One thing found wrong on disk: a served file, or the manifest / signature themselves. */
export interface TamperFinding {
  path: string;
  problem: 'changed' | 'missing' | 'unsigned';
  expected: string | null;
  actual: string | null;
  detail: string;
}

export class PublicFiles {
  private files = new Map<string, PublicFile>();
  private tampered = new Set<string>();
  private expected: Record<string, string> = {};
  private metaBytes = new Map<string, Buffer>();
  /** Found at boot, handed to the release guard on its first pass. */
  private pending: TamperFinding[] = [];
  private reported = new Set<string>();
  /** Why nothing is served (unsigned or untrusted release), or null. */
  refusedReason: string | null = null;
  release: ReleaseEntry | null = null;
  private loaderVer: string | null = null;
  /** The release log shipped with this build, served at /.well-known/parley-releases.json. */
  releaseLog: Buffer | null = null;
  /** The release transparency log (tiles, signed checkpoint, this release's proof), served under /tlog/releases/. */
  transparency: ReleaseTransparency | null = null;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly trusted: TrustedKey[] = [],
    private readonly origin: string = releaseLogOrigin(),
  ) {
    this.load();
  }

  private load(): void {
    if (!existsSync(join(this.dir, MANIFEST_FILE))) {
      this.refusedReason = 'no build found (run npm run build)';
      this.log.warn({ dir: this.dir }, 'no build found (run npm run build): widget and console are not served');
      return;
    }
    const logFile = join(this.dir, RELEASE_LOG_FILE);
    if (existsSync(logFile)) this.releaseLog = readFileSync(logFile);
    const signed = readSignedManifest(this.dir, this.trusted);
    if (!signed.ok) {
      this.refusedReason = signed.reason;
      this.log.error({ dir: this.dir, reason: signed.reason }, 'release manifest is not signed by a trusted key; refusing to serve any widget or console file');
      this.pending.push({ path: MANIFEST_FILE, problem: 'unsigned', expected: null, actual: null, detail: signed.reason });
      return;
    }
    // A release that is not in the signed transparency log is not served: what a node serves is
    // then always what anyone can check against the log (release:verify --url).
    const tlog = ReleaseTransparency.load(this.dir, this.trusted, this.origin, signed.entry, signed.manifest);
    if ('reason' in tlog) {
      this.refusedReason = tlog.reason;
      this.log.error({ dir: this.dir, reason: tlog.reason }, 'release is not in a valid transparency log; refusing to serve any widget or console file');
      this.pending.push({ path: RELEASE_CHECKPOINT_FILE, problem: 'unsigned', expected: null, actual: null, detail: tlog.reason });
      return;
    }
    this.transparency = tlog;
    this.release = signed.entry;
    this.expected = signed.manifest.files;
    this.metaBytes.set(MANIFEST_FILE, signed.manifestBytes);
    this.metaBytes.set(RELEASE_ENTRY_FILE, signed.entryBytes);
    for (const f of [RELEASE_LOG_FILE, RELEASE_CHECKPOINT_FILE, RELEASE_PROOF_FILE]) this.metaBytes.set(f, readFileSync(join(this.dir, f)));
    for (const [path, expected] of Object.entries(signed.manifest.files)) {
      const full = join(this.dir, path);
      const body = existsSync(full) ? readFileSync(full) : null;
      const integrity = body ? sri384(body) : null;
      if (!body || integrity !== expected) {
        this.markTampered({ path, problem: body ? 'changed' : 'missing', expected, actual: integrity, detail: 'does not match the signed release manifest at boot' });
        continue;
      }
      this.files.set(path, { body, integrity, type: TYPES[extname(path)] ?? 'application/octet-stream' });
    }
    const loader = this.files.get('widget/loader.js');
    if (loader) this.loaderVer = createHash('sha256').update(loader.body).digest('hex').slice(0, 16);
  }

  private markTampered(f: TamperFinding): void {
    this.tampered.add(f.path);
    this.files.delete(f.path);
    this.log.error({ path: f.path, problem: f.problem }, 'served file does not match the signed release manifest; refusing to serve it');
    if (!this.reported.has(f.path + ':' + f.problem)) {
      this.reported.add(f.path + ':' + f.problem);
      this.pending.push(f);
    }
  }

  /**
   * Re-reads every served file, the manifest and its signature from disk. Returns what is newly
   * wrong since the last call (boot findings included on the first call).
   */
  async recheck(): Promise<TamperFinding[]> {
    if (this.release) {
      for (const [name, bytes] of this.metaBytes) {
        const now = await readFile(join(this.dir, name)).catch(() => null);
        if (!now || !now.equals(bytes)) {
          const key = name + ':changed';
          if (!this.reported.has(key)) {
            this.reported.add(key);
            // The in-memory manifest stays the verified one: files are still checked against it.
            this.log.error({ path: name }, 'release metadata changed on disk');
            this.pending.push({ path: name, problem: now ? 'changed' : 'missing', expected: sri384(bytes), actual: now ? sri384(now) : null, detail: 'release metadata changed on disk after the node verified it' });
          }
        }
      }
      for (const [path, expected] of Object.entries(this.expected)) {
        if (this.tampered.has(path)) continue;
        const now = await readFile(join(this.dir, path)).catch(() => null);
        const actual = now ? sri384(now) : null;
        if (actual !== expected) this.markTampered({ path, problem: now ? 'changed' : 'missing', expected, actual, detail: 'changed on disk after the node verified it; no longer served' });
      }
    }
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** `path` is relative to dist/public, e.g. `console/index.html`. */
  get(path: string): Lookup {
    if (this.tampered.has(path) || (this.refusedReason && this.refusedReason !== 'no build found (run npm run build)')) return { tampered: true };
    const file = this.files.get(path);
    return file ? { file } : null;
  }

  isTampered(path: string): boolean {
    return this.tampered.has(path);
  }

  /** The loader's immutable URL segment: the first 16 hex characters of its SHA-256. */
  loaderVersion(): string | null {
    return this.loaderVer;
  }
}
