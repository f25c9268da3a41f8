import { relative, resolve, isAbsolute } from 'node:path';
import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { ROOT } from '../../paths.js';
import { generateReleaseKey } from '../../security/release.js';
import { releaseLogOrigin, releaseVerifiers } from '../../security/releaseTlog.js';
import { formatVerifierKey } from '../../security/tlog/note.js';

export const releaseKeygen: Command = {
  name: 'release:keygen',
  summary: 'Generate an Ed25519 release signing key (kept outside the repository)',
  help: `Usage: parley release:keygen --out DIR [--force-inside-repo]

Writes DIR/release-ed25519.key (the private key, PKCS#8 PEM, mode 0600) and
DIR/release-ed25519.pub (the public key, base64), and prints the public key. Refuses a DIR inside
the repository: a signing key must never be committed or shipped with the code it signs.

Then: sign builds with RELEASE_KEY=DIR/release-ed25519.key npm run build (or parley release:sign
--key …) and give every Parley node RELEASE_PUBLIC_KEY=<the printed key>.`,
  async run(args) {
    const out = resolve(requireOption(args, 'out'));
    const rel = relative(ROOT, out);
    if (!args.options['force-inside-repo'] && (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))) {
      throw new UsageError(`--out ${out} is inside the repository (${ROOT}); keep release keys outside it`);
    }
    const { privateKeyFile, publicKeyFile, trusted } = generateReleaseKey(out);
    console.log(`private key: ${privateKeyFile} (mode 0600 — keep it offline or in a secrets store)`);
    console.log(`public key:  ${publicKeyFile}`);
    console.log(`key id:      ${trusted.keyId}`);
    console.log(`RELEASE_PUBLIC_KEY=${trusted.publicKey}`);
    // The same key as the release transparency log's checkpoint signer (for parley witness --log-key).
    console.log(`log verifier key (origin ${releaseLogOrigin()}): ${formatVerifierKey(releaseVerifiers(releaseLogOrigin(), [trusted])[0]!)}`);
    return 0;
  },
};
