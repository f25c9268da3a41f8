/** Test helper: a tiny signed release in a temp directory, signed by a fresh key. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateReleaseKey, loadPrivateKey, signRelease, sri384, type Manifest, type ReleaseEntry, type TrustedKey } from './release.js';

export const FIXTURE_FILES: Record<string, string> = {
  'widget/loader.js': '(function(){/* loader */})();\n',
  'widget/frame/index.html': '<!doctype html><title>frame</title>\n',
  'console/index.html': '<!doctype html><title>console</title>\n',
  'console/assets/app.js': 'console.log("app");\n',
};

export interface Fixture {
  root: string;
  publicDir: string;
  keyDir: string;
  logPath: string;
  privateKeyFile: string;
  trusted: TrustedKey;
  entry: ReleaseEntry;
  sign(): ReleaseEntry;
}

export function writeManifest(publicDir: string, files: Record<string, string>, version = '0.0.1'): void {
  const manifest: Manifest = { version, builtAt: new Date().toISOString(), files: {} };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(publicDir, path)), { recursive: true });
    writeFileSync(join(publicDir, path), text);
    manifest.files[path] = sri384(Buffer.from(text));
  }
  writeFileSync(join(publicDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

export function signedFixture(files = FIXTURE_FILES): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'parley-release-'));
  const publicDir = join(root, 'public');
  const keyDir = join(root, 'keys');
  const logPath = join(root, 'data', 'release-log.json');
  writeManifest(publicDir, files);
  const { privateKeyFile, trusted } = generateReleaseKey(keyDir);
  const sign = () => signRelease({ publicDir, privateKey: loadPrivateKey(privateKeyFile), logPath });
  const entry = sign();
  return { root, publicDir, keyDir, logPath, privateKeyFile, trusted, entry, sign };
}
