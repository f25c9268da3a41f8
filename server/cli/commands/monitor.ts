import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { monitorPage } from '../../security/pageMonitor.js';
import { parsePublicKey, trustedKeysFrom } from '../../security/release.js';
import { releaseLogOrigin } from '../../security/releaseTlog.js';
import { verifyRemoteRelease } from '../../security/releaseVerifyRemote.js';

export const monitor: Command = {
  name: 'monitor',
  summary: 'Check a payment page’s Parley script and security headers against the release log (PCI DSS 11.6.1)',
  help: `Usage: parley monitor --page PAGE_URL --url NODE_URL [--state FILE] [--accept]
                      [--witness-key VKEY[,VKEY…]] [--public-key KEY] [--origin ORIGIN] [--json]

Verifies the node's release from outside (as release:verify --url), then loads PAGE_URL in
Chromium (/usr/bin/chromium or CHROMIUM_PATH) and checks that the Parley loader on the page is the
log's current one (URL, integrity attribute, the bytes received), and that the page's scripts and
security headers (Content-Security-Policy, X-Frame-Options, Permissions-Policy, Referrer-Policy,
Strict-Transport-Security) are the ones of the baseline recorded on the first clean run (--state,
default DATA_DIR/page-monitor/<hash of the page URL>.json; --accept records the page as it is now
as the new baseline after an authorised change). Exits 0 when nothing differs, 2 otherwise.
Schedule it (cron), or let a node run it: PAGE_MONITOR / PAGE_MONITOR_MS (README).`,
  async run(args) {
    const opt = (name: string) => (typeof args.options[name] === 'string' ? (args.options[name] as string) : undefined);
    const page = requireOption(args, 'page');
    const url = requireOption(args, 'url');
    const given = opt('public-key');
    const trusted = given ? [parsePublicKey(given)] : trustedKeysFrom().keys;
    if (trusted.length === 0) throw new UsageError('no trusted release key: give --public-key or set RELEASE_PUBLIC_KEY');
    const release = await verifyRemoteRelease({ url, origin: opt('origin') ?? releaseLogOrigin(), trusted, witnessKeys: (opt('witness-key') ?? '').split(',').filter(Boolean) });
    const integrity = release.release?.manifest.files['widget/loader.js'];
    if (!release.ok || !release.loaderUrl || !integrity) {
      for (const p of release.problems) console.log(`release: ${p}`);
      console.log('FAILED: the node’s release does not verify against its transparency log');
      return 2;
    }
    const state = opt('state') ? resolve(opt('state')!) : join(process.env.DATA_DIR || './data', 'page-monitor', createHash('sha256').update(page).digest('hex').slice(0, 16) + '.json');
    const result = await monitorPage({ page, expected: { loaderUrl: release.loaderUrl, integrity }, baselineFile: state, accept: !!args.options.accept });
    if (args.options.json) console.log(JSON.stringify({ ok: result.findings.length === 0, release: { version: release.release!.version, index: release.release!.index }, ...result }, null, 2));
    else {
      console.log(`loader ${release.loaderUrl} ${integrity} (release ${release.release!.version}, log entry ${release.release!.index})`);
      if (result.baselineCreated) console.log(`baseline recorded in ${state}`);
      for (const f of result.findings) console.log(`${f.problem}: ${f.detail}`);
      console.log(result.findings.length === 0 ? 'OK' : 'CHANGED');
    }
    return result.findings.length === 0 ? 0 : 2;
  },
};
