#!/usr/bin/env node
// Side experiment for bench/loaderCost.mjs: loader variants against each other on the same checkout
// page, in the same rotated rounds, without a Parley server (with the chat closed the loader talks to
// no server). Each variant is a loader source file, minified as widget/loader/build.mjs does, served
// SRI-pinned from the other site (127.0.0.1) like the real one.
//   node bench/loaderVariants.mjs [cpu|trace] ROUNDS name=path/to/loader.js[!nohint] ...
// cpu: main-thread CPU time (ThreadTime) per arm, paired ratios against the page alone and against
// the first variant. trace: the attribution table (self CPU time per trace event) of each variant
// against the first one.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { COMPILE_HINT, minifyLoader } from '../widget/loader/build.mjs';
import { CHROMIUM, FLAGS, checkoutPage, measure, median, traceVisit } from './loaderCost.mjs';

const [mode = 'cpu', roundsArg = '12', ...specs] = process.argv.slice(2);
const variants = (specs.length ? specs : ['current=widget/loader/loader.js']).map((s) => s.split('='));
const port = 8000 + Math.floor(Math.random() * 1000);
const sri = (code) => 'sha384-' + createHash('sha384').update(code).digest('base64');
const EMPTY_JS = 'window.__parleyEmptyRan=1;\n';
const scripts = { '/empty.js': EMPTY_JS };
const tag = (src, code) => `<script src="http://127.0.0.1:${port}${src}" integrity="${sri(code)}" crossorigin="anonymous" data-parley-key="wk_bench" async></script>`;
const pages = { none: checkoutPage(''), empty: checkoutPage(tag('/empty.js', EMPTY_JS)) };
for (const [name, path] of variants) {
  // path!nohint: minified without the compile hint, as the loader was built before it had one.
  const [file, flag] = path.split('!');
  const min = minifyLoader(readFileSync(file, 'utf8'));
  const code = flag === 'nohint' ? min.slice(COMPILE_HINT.length) : min;
  scripts[`/widget/v/${name}/loader.js`] = code;
  pages[`snippet-${name}`] = checkoutPage(tag(`/widget/v/${name}/loader.js`, code));
}
const server = createServer((req, res) => {
  const u = new URL(req.url, 'http://localhost');
  if (scripts[u.pathname]) return res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*', 'cache-control': 'no-store' }).end(scripts[u.pathname]);
  if (u.pathname === '/blank') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end('<!doctype html><title>blank</title>');
  if (u.pathname !== '/checkout' || !pages[u.searchParams.get('page')]) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(pages[u.searchParams.get('page')]);
});
await new Promise((r) => server.listen(port, '127.0.0.1', r));
const hostUrl = `http://localhost:${port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
const rounds = Number(roundsArg);
const arms = variants.map(([n]) => `snippet-${n}`);
console.log('load average before', loadavg().map((l) => l.toFixed(2)).join(' '));
try {
  if (mode === 'trace') {
    // Every variant and the empty script in the same rotated rounds; each compared with the first variant.
    const all = [...arms, 'empty'];
    const samples = await measure(browser, hostUrl, rounds, all, traceVisit);
    const minMs = Number(process.env.MIN_MS ?? 0.1);
    const cpu = (s, arm, name) => s[arm][name]?.cpu ?? 0;
    for (const arm of all.slice(1)) {
      const base = arms[0];
      const names = [...new Set(samples.flatMap((s) => [...Object.keys(s[arm]), ...Object.keys(s[base])]))];
      const rows = names.map((name) => [name, median(samples.map((s) => cpu(s, arm, name))), median(samples.map((s) => cpu(s, base, name))), median(samples.map((s) => cpu(s, arm, name) - cpu(s, base, name)))]);
      console.log(`\n${arm} − ${base}: self CPU ms per trace event on the page's main thread, medians of ${samples.length} rounds`);
      console.log(`| event | ${arm} | ${base} | difference (paired median) |\n|---|---|---|---|`);
      for (const [name, a, b, d] of rows.filter((r) => r[0] === 'busy' || Math.abs(r[3]) >= minMs).sort((x, y) => (y[0] === 'busy') - (x[0] === 'busy') || x[3] - y[3])) console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${d.toFixed(2)} |`);
    }
  } else {
    const all = ['none', 'empty', ...arms];
    const samples = await measure(browser, hostUrl, rounds, all);
    const q = (xs) => {
      const s = [...xs].sort((x, y) => x - y);
      return `${s[Math.floor(s.length / 4)].toFixed(3)}–${s[Math.floor((3 * s.length) / 4)].toFixed(3)}`;
    };
    console.log(`\n${samples.length} rounds; ThreadTime ms medians; ratios paired per round (median, quartiles)`);
    for (const arm of all) {
      const t = samples.map((s) => s[arm].ThreadTime);
      const vsNone = samples.map((s) => s[arm].ThreadTime / s.none.ThreadTime);
      const vsFirst = samples.map((s) => s[arm].ThreadTime / s[arms[0]].ThreadTime);
      const added = samples.map((s) => s[arm].ThreadTime - s.none.ThreadTime);
      console.log(`${arm.padEnd(22)} ${median(t).toFixed(2).padStart(6)} ms  adds ${median(added).toFixed(2).padStart(5)} ms  ÷ none ${median(vsNone).toFixed(3)} (${q(vsNone)})  ÷ ${arms[0]} ${median(vsFirst).toFixed(3)} (${q(vsFirst)})  layout ${median(samples.map((s) => s[arm].LayoutDuration)).toFixed(2)} style ${median(samples.map((s) => s[arm].RecalcStyleDuration)).toFixed(2)}`);
    }
  }
} finally {
  console.log('load average after', loadavg().map((l) => l.toFixed(2)).join(' '));
  await browser.close();
  server.close();
}
