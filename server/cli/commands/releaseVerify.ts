import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { PUBLIC_DIR } from '../../paths.js';
import { parsePublicKey, trustedKeysFrom, verifyRelease, type TrustedKey } from '../../security/release.js';
import { readFileSync } from 'node:fs';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

export const releaseVerify: Command = {
  name: 'release:verify',
  summary: 'Verify the built release against its signed manifest, and the whole release log',
  help: `Usage: parley release:verify [--dir DIR] [--log FILE] [--public-key KEY_OR_FILE] [--json]

Checks, and names exactly what fails:
  - DIR/release.json signs DIR/manifest.json with a trusted key (--public-key, else
    RELEASE_PUBLIC_KEY, else the local development key);
  - every file listed in the manifest has exactly its bytes (changed / missing), and no other file
    is present (unlisted);
  - every entry of the release log (--log, default DIR/release-log.json) links to the previous one,
    hashes to its recorded hash and carries a valid signature by a trusted key, and the log contains
    this release.
Exits 0 when everything holds, 2 otherwise.`,
  async run(args) {
    const publicDir = typeof args.options.dir === 'string' ? resolve(args.options.dir) : PUBLIC_DIR;
    const logPath = typeof args.options.log === 'string' ? resolve(args.options.log) : undefined;
    let trusted: TrustedKey[];
    const given = args.options['public-key'];
    if (typeof given === 'string') {
      let text = given;
      try {
        text = readFileSync(given, 'utf8');
      } catch {
        /* not a file: the key itself */
      }
      trusted = [parsePublicKey(text)];
    } else {
      const t = trustedKeysFrom();
      if (t.problems.length) throw new UsageError(t.problems.join('\n'));
      trusted = t.keys;
    }
    const report = verifyRelease({ publicDir, trusted, logPath, listFiles: () => listFiles(publicDir) });
    if (args.options.json) {
      console.log(JSON.stringify(report, null, 2));
      return report.ok ? 0 : 2;
    }
    if (report.manifest) console.log(`release: NOT VERIFIED — ${report.manifest}`);
    else if (report.release) console.log(`release #${report.release.seq} (version ${report.release.version}) signed ${report.release.signedAt} by trusted key ${report.release.keyId}`);
    for (const f of report.files) console.log(`file ${f.path}: ${f.problem}`);
    if (!report.manifest && report.files.length === 0) console.log('files: every served file matches the signed manifest');
    if (!report.log) console.log(`log: not found${logPath ? ` at ${logPath}` : ''}`);
    else {
      for (const p of report.log.problems) console.log(`log entry ${p.seq ?? '?'} (position ${p.index + 1}): ${p.problem} — ${p.detail}`);
      if (report.log.problems.length === 0) console.log(`log: ${report.log.entries} entries, chain intact (${report.log.path})`);
      if (report.release && !report.log.containsRelease) console.log('log: does not contain this release');
    }
    console.log(report.ok ? 'OK' : 'FAILED');
    return report.ok ? 0 : 2;
  },
};
