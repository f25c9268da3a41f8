import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { requireOption } from '../command.js';
import { PUBLIC_DIR } from '../../paths.js';
import { loadPrivateKey, releaseLogPath, signRelease } from '../../security/release.js';

export const releaseSign: Command = {
  name: 'release:sign',
  summary: 'Sign the built manifest and append it to the release log',
  help: `Usage: parley release:sign --key PRIVATE_KEY_FILE [--dir DIR] [--log FILE]

Signs DIR/manifest.json (default dist/public; its canonical JSON, through its SHA-384) with the
Ed25519 private key, appends the entry {seq, version, manifestSha384, keyId, publicKey, signedAt,
prevHash, signature, hash} to the hash-chained release log (--log, else RELEASE_LOG, else
DATA_DIR/release-log.json), and writes DIR/release.json and DIR/release-log.json, which the server
verifies and serves at /.well-known/parley-releases.json. Refuses to append to a broken log.
npm run build does this itself with RELEASE_KEY or the development key.`,
  async run(args) {
    const key = loadPrivateKey(resolve(requireOption(args, 'key')));
    const publicDir = typeof args.options.dir === 'string' ? resolve(args.options.dir) : PUBLIC_DIR;
    const logPath = typeof args.options.log === 'string' ? resolve(args.options.log) : releaseLogPath();
    const entry = signRelease({ publicDir, privateKey: key, logPath });
    console.log(`signed release #${entry.seq} (version ${entry.version}) with key ${entry.keyId}`);
    console.log(`manifest ${entry.manifestSha384}`);
    console.log(`log ${logPath}: entry hash ${entry.hash}`);
    return 0;
  },
};
