import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { PUBLIC_DIR } from '../../paths.js';
import { parsePublicKey, trustedKeysFrom, verifyRelease, type TrustedKey } from '../../security/release.js';
import { readFileSync } from 'node:fs';
import { releaseLogOrigin } from '../../security/releaseTlog.js';
import { verifyRemoteRelease } from '../../security/releaseVerifyRemote.js';

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
       parley release:verify --url NODE_URL [--witness-key VKEY[,VKEY…]] [--state FILE]
                             [--origin ORIGIN] [--frame-key WIDGET_KEY --frame-host ORIGIN]
                             [--public-key KEY_OR_FILE] [--json]

With --url, checks a running node from outside, through its transparency log (/tlog/releases/):
  - the checkpoint is signed by a trusted release key for the origin (--origin, else
    RELEASE_LOG_ORIGIN) and cosigned by every --witness-key;
  - the log's entries rebuild the checkpoint's tree, and the node's tlog-proof proves its current
    release in it;
  - every file the node serves (loader, console, frame assets; one tenant's frame with
    --frame-key and --frame-host) has the SRI hash the log's entry lists;
  - with --state, the checkpoint is consistent with the last one this verifier accepted: a smaller
    tree (rollback) or other history (split view) fails. The state advances only on success.
Exits 0 when everything holds, 2 otherwise.

Without --url, checks a build directory:

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
    const opt = (name: string) => (typeof args.options[name] === 'string' ? (args.options[name] as string) : undefined);
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
    const url = opt('url');
    if (url) {
      const frameKey = opt('frame-key');
      const frameHost = opt('frame-host');
      if (!!frameKey !== !!frameHost) throw new UsageError('--frame-key and --frame-host go together');
      const remote = await verifyRemoteRelease({
        url,
        origin: opt('origin') ?? releaseLogOrigin(),
        trusted,
        witnessKeys: (opt('witness-key') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
        statePath: opt('state') ? resolve(opt('state')!) : undefined,
        frame: frameKey && frameHost ? { key: frameKey, host: frameHost } : undefined,
      });
      if (args.options.json) console.log(JSON.stringify({ ...remote, release: remote.release && { ...remote.release, manifest: undefined } }, null, 2));
      else {
        if (remote.release) console.log(`release ${remote.release.version} (entry ${remote.release.index} of ${remote.size}) is in the log ${remote.origin}`);
        for (const w of remote.witnesses) console.log(`witness ${w.key}: ${w.cosigned ? 'cosigned' : 'NOT cosigned'}`);
        for (const f of remote.files) console.log(`${f.ok ? 'ok  ' : 'BAD '} ${f.url}${f.detail ? ` — ${f.detail}` : ''}`);
        for (const p of remote.problems) console.log(`problem: ${p}`);
        console.log(remote.ok ? 'OK' : 'FAILED');
      }
      return remote.ok ? 0 : 2;
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
