/**
 * The files Parley serves to browsers (widget frame, console, loader), held in memory and served
 * only if their bytes match dist/public/manifest.json. A file whose bytes differ is never served:
 * its requests get 503. (Signing the manifest and re-checking the disk come with the release log.)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';

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

export class PublicFiles {
  private files = new Map<string, PublicFile>();
  private tampered = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    this.load();
  }

  private load(): void {
    const manifestPath = join(this.dir, 'manifest.json');
    if (!existsSync(manifestPath)) {
      this.log.warn({ dir: this.dir }, 'no build found (run npm run build): widget and console are not served');
      return;
    }
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
    for (const [path, expected] of Object.entries(manifest.files)) {
      const body = readFileSync(join(this.dir, path));
      const integrity = 'sha384-' + createHash('sha384').update(body).digest('base64');
      if (integrity !== expected) {
        this.tampered.add(path);
        this.log.error({ path }, 'served file does not match the release manifest; refusing to serve it');
        continue;
      }
      this.files.set(path, { body, integrity, type: TYPES[extname(path)] ?? 'application/octet-stream' });
    }
  }

  /** `path` is relative to dist/public, e.g. `console/index.html`. */
  get(path: string): Lookup {
    if (this.tampered.has(path)) return { tampered: true };
    const file = this.files.get(path);
    return file ? { file } : null;
  }

  /** The loader's immutable URL segment: the first 16 hex characters of its SHA-256. */
  loaderVersion(): string | null {
    const loader = this.files.get('widget/loader.js');
    return loader ? createHash('sha256').update(loader.body).digest('hex').slice(0, 16) : null;
  }
}
