// The host page's main-thread cost of the embed snippet with the chat closed (DESIGN.md: the loader
// under 5 ms; the page with the chat closed <= 1.1x the page alone), measured in Debian's Chromium.
//
// Method (issue 14, second pass). Four arms, the same checkout page but for: nothing (the page alone),
// Parley's snippet, a bare cross-origin iframe of the widget frame (the least any frame-isolated
// widget costs), and the snippet's script tag pointing at an empty script of the same kind (async,
// crossorigin, SRI-pinned, another site): what loading any third-party script costs, without the
// loader's own work. Each visit is a first visit (fresh browser context, empty cache). The figure is
// the CPU time of the page's renderer main thread (CDP Performance.getMetrics `ThreadTime`), from
// just before the navigation to 1 s after its load event, read as a difference on the same renderer:
// CPU time, not wall-clock task time, so the other processes of a loaded machine do not count in it
// (wall-clock `TaskDuration` and its script/layout/style parts are reported beside it). Each round
// visits the four arms once, in an order rotated by one every round, so slow drift of the machine
// falls on every arm alike; the closed-chat ratio is the median over rounds of each round's
// snippet / page-alone ratio (paired), with the ratio of the arms' medians beside it.
// Parley is served from 127.0.0.1 and the page from localhost, two sites, as a shop and Parley are.
// Then the loader's own script, exactly, from Chromium's trace: its evaluation and listeners.
// Last, the attribution: traced rounds of the snippet and empty-script arms, self CPU time per trace
// event on the page's main thread, and the paired difference per event: which work the loader adds.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { pageMainThread, selfTimes } from './traceSelfTime.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A checkout page as a shop would have one: a form, a few styles, some text. */
export function checkoutPage(snippet) {
  const items = Array.from({ length: 20 }, (_, i) => `<li>Item ${i + 1} <span>€${(i * 3.7 + 9).toFixed(2)}</span></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
<style>body{font:16px system-ui;margin:2rem;max-width:40rem}label{display:block;margin:.5rem 0}input{width:100%;padding:.4rem}li{display:flex;justify-content:space-between}</style></head>
<body><h1>Checkout</h1><ul>${items}</ul>
<form><label>Name <input name="name" autocomplete="cc-name"></label><label>Card number <input name="card" autocomplete="cc-number"></label>
<label>Expiry <input name="exp" autocomplete="cc-exp"></label><label>Security code <input name="cvc" autocomplete="cc-csc"></label><button>Pay</button></form>
${snippet}</body></html>`;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Time for the page (and, in the bare-iframe arm, the frame) to load and lay itself out, the same for
// every arm. Nothing waits by running script in the page (a polling wait would itself cost
// main-thread time): what each arm must show is checked only after the counters are read.
const SETTLE_MS = 1000;
const METRICS = ['ThreadTime', 'TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];
const ARMS = ['none', 'snippet', 'iframe', 'empty'];

/** One first visit of one arm: the page's main-thread counters for it, in ms. */
export async function visit(browser, hostUrl, arm) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    // A blank page of the same site first, so the arm's page loads in this renderer; the counters are
    // read before and after its navigation, and only the difference counts.
    await page.goto(`${hostUrl}/blank`);
    await cdp.send('Performance.enable');
    const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await read();
    await page.goto(`${hostUrl}/checkout?page=${arm}`, { waitUntil: 'load' });
    await page.waitForTimeout(SETTLE_MS);
    const after = await read();
    if (arm === 'iframe') {
      if (!page.frames().some((f) => f.url().includes('/widget/frame/'))) throw new Error('the bare widget frame did not load');
    } else if (arm.startsWith('snippet')) {
      // The loader ran and laid out its launcher; with the chat closed there is no frame at all.
      const height = await page.evaluate(() => getComputedStyle(document.querySelector('parley-chat')).height);
      if (height !== '48px') throw new Error(`the launcher was not laid out (height ${height})`);
      if (page.frames().length !== 1) throw new Error('a frame exists before the chat was opened');
    } else if (arm === 'empty') {
      if (!(await page.evaluate(() => window.__parleyEmptyRan === 1))) throw new Error('the empty script did not run');
    }
    const out = Object.fromEntries(METRICS.map((m) => [m, 1000 * ((after[m] ?? 0) - (before[m] ?? 0))]));
    if (!(out.ThreadTime > 0)) throw new Error(`no main-thread CPU time was counted (${JSON.stringify(out)})`);
    return out;
  } finally {
    await context.close();
  }
}

/** `rounds` rounds of one visit per arm, the order rotated each round, after one discarded round. */
export async function measure(browser, hostUrl, rounds, arms = ARMS, see = visit) {
  const samples = [];
  for (let r = 0; r < rounds + 1; r++) {
    const order = arms.map((_, i) => arms[(i + r) % arms.length]);
    const round = {};
    for (const arm of order) round[arm] = await see(browser, hostUrl, arm);
    if (r > 0) samples.push(round); // the first round pays the browser's own first-use work
  }
  return samples;
}

const r2 = (x) => +x.toFixed(2);
const r3 = (x) => +x.toFixed(3);

/** Medians per arm and counter; the paired and unpaired closed-chat ratios on main-thread CPU time. */
function costs(samples) {
  const med = (arm, m) => median(samples.map((s) => s[arm][m]));
  const medians = Object.fromEntries(ARMS.map((a) => [a, Object.fromEntries(METRICS.map((m) => [m, r2(med(a, m))]))]));
  const paired = (a, b, m = 'ThreadTime') => r3(median(samples.map((s) => s[a][m] / s[b][m])));
  const spread = (a, b) => {
    const xs = samples.map((s) => s[a].ThreadTime / s[b].ThreadTime).sort((x, y) => x - y);
    return [r3(xs[Math.floor(xs.length / 4)]), r3(xs[Math.floor((3 * xs.length) / 4)])];
  };
  const added = (a) => Object.fromEntries(METRICS.map((m) => [m, r2(medians[a][m] - medians.none[m])]));
  return {
    rounds: samples.length,
    mediansMs: medians,
    snippetAddsMs: added('snippet'),
    emptyScriptAddsMs: added('empty'),
    bareIframeAddsMs: added('iframe'),
    // The budget: main-thread CPU time with the snippet (chat closed) over the page alone.
    closedChatCpu: {
      snippetVsPageAlone: paired('snippet', 'none'),
      snippetVsPageAloneQuartiles: spread('snippet', 'none'),
      snippetVsPageAloneOfMedians: r3(medians.snippet.ThreadTime / medians.none.ThreadTime),
      snippetVsBareIframe: paired('snippet', 'iframe'),
      bareIframeVsPageAlone: paired('iframe', 'none'),
      emptyScriptVsPageAlone: paired('empty', 'none'),
      snippetVsEmptyScript: paired('snippet', 'empty'),
    },
    // The same ratios on wall-clock task time (inflated by whatever else the machine runs).
    closedChatWallClock: {
      snippetVsPageAlone: paired('snippet', 'none', 'TaskDuration'),
      snippetVsBareIframe: paired('snippet', 'iframe', 'TaskDuration'),
    },
  };
}

// What the attribution traces record: the page's lifecycle (style, layout, paint, commit), script
// (V8 compile, run, GC), parsing and loading, and the scheduler's tasks (toplevel: a task's time not
// claimed by any named event inside it).
const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink', 'loading', 'cc'];

/** One traced first visit of one arm: self time per event name on the page's main thread (ms). */
export async function traceVisit(browser, hostUrl, arm) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // As in visit(): a blank page of the same site first, so the arm's page loads in this renderer.
    await page.goto(`${hostUrl}/blank`);
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await page.goto(`${hostUrl}/checkout?page=${arm}`, { waitUntil: 'load' });
    await page.waitForTimeout(SETTLE_MS);
    const events = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents;
    const thread = pageMainThread(events, `/checkout?page=${arm}`);
    if (!thread) throw new Error(`no renderer main thread parsed the ${arm} page in the trace`);
    return selfTimes(events, thread);
  } finally {
    await context.close();
  }
}

/**
 * Where the snippet's main-thread time goes, beyond what the same tag with an empty script costs:
 * `rounds` traced rounds of the two arms (order alternating, after one discarded round), then per
 * trace-event name the medians of its self CPU time in each arm and the median over rounds of the
 * paired difference. Names whose difference is under `minMs` in absolute value are summed as "other".
 */
export async function attribution(browser, hostUrl, rounds, arms = ['snippet', 'empty'], minMs = 0.05) {
  const samples = await measure(browser, hostUrl, rounds, arms, traceVisit);
  const [a, b] = arms;
  const cpu = (s, arm, name) => s[arm][name]?.cpu ?? 0;
  const names = [...new Set(samples.flatMap((s) => [...Object.keys(s[a]), ...Object.keys(s[b])]))];
  const rows = names.map((name) => ({
    name,
    [a]: r2(median(samples.map((s) => cpu(s, a, name)))),
    [b]: r2(median(samples.map((s) => cpu(s, b, name)))),
    added: median(samples.map((s) => cpu(s, a, name) - cpu(s, b, name))),
  }));
  const busy = rows.find((r) => r.name === 'busy');
  const shown = rows.filter((r) => r.name !== 'busy' && Math.abs(r.added) >= minMs).sort((x, y) => y.added - x.added);
  const other = rows.filter((r) => r.name !== 'busy' && Math.abs(r.added) < minMs).reduce((n, r) => n + r.added, 0);
  return {
    rounds: samples.length,
    busy: { [a]: busy[a], [b]: busy[b], added: r2(busy.added) },
    byEvent: [...shown.map((r) => ({ ...r, added: r2(r.added) })), { name: 'other', [a]: null, [b]: null, added: r2(other) }],
  };
}

/**
 * The loader's own script, exactly: the durations of the trace events that run its code on the
 * page's main thread (its evaluation; its listeners), per first visit, as medians. With the chat
 * closed the loader creates no frame, so this is all of Parley's script on the page.
 */
async function loaderScriptMs(browser, hostUrl, runs) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await browser.startTracing(page, { categories: ['devtools.timeline'] });
      await page.goto(`${hostUrl}/checkout?page=snippet`, { waitUntil: 'load' });
      await page.waitForTimeout(SETTLE_MS);
      const trace = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents;
      const ours = trace.filter((e) => e.ph === 'X' && (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && /\/widget\/v\/[^/]+\/loader\.js/.test(e.args?.data?.url ?? ''));
      if (!ours.some((e) => e.name === 'EvaluateScript')) throw new Error('the loader did not run');
      const sum = (name) => ours.filter((e) => e.name === name).reduce((n, e) => n + e.dur, 0) / 1000;
      if (i > 0) samples.push({ evaluate: sum('EvaluateScript'), listeners: sum('FunctionCall') });
    } finally {
      await context.close();
    }
  }
  return { evaluate: median(samples.map((x) => x.evaluate)), listeners: median(samples.map((x) => x.listeners)) };
}

/**
 * `snippet` is Parley's embed snippet for a tenant that allows `http://localhost:<hostPort>`;
 * `frameUrl` the widget frame's URL for that tenant and host. Four pages, the same but for that (see
 * the top of this file).
 */
export async function measureLoaderCost({ snippet, frameUrl, hostPort, runs = 24, traceRuns = 11, attributionRounds = 20, oneProcess = false }) {
  const bare = `<script>var f=document.createElement('iframe');f.src=${JSON.stringify(frameUrl)};f.style.cssText='position:fixed;bottom:0;right:0;width:96px;height:96px;border:0';document.body.appendChild(f)</script>`;
  // The snippet's own tag, pointing at an empty script (same attributes, its own SRI hash), served by
  // this server under the other site's name (127.0.0.1), as the loader is.
  const EMPTY_JS = 'window.__parleyEmptyRan=1;\n';
  const emptySri = 'sha384-' + createHash('sha384').update(EMPTY_JS).digest('base64');
  const empty = snippet.replace(/src="[^"]+"/, `src="http://127.0.0.1:${hostPort}/empty.js"`).replace(/integrity="[^"]+"/, `integrity="${emptySri}"`);
  if (empty === snippet) throw new Error('could not make the empty-script arm from the snippet');
  const pages = { snippet: checkoutPage(snippet), iframe: checkoutPage(bare), none: checkoutPage(''), empty: checkoutPage(empty) };
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://localhost');
    if (u.pathname === '/empty.js') return res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*', 'cache-control': 'no-store' }).end(EMPTY_JS);
    if (u.pathname === '/blank') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end('<!doctype html><title>blank</title>');
    if (u.pathname !== '/checkout') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(pages[u.searchParams.get('page')] ?? pages.none);
  });
  await new Promise((r) => server.listen(hostPort, '127.0.0.1', r));
  const hostUrl = `http://localhost:${hostPort}`;
  try {
    const isolated = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    let siteIsolated;
    try {
      siteIsolated = costs(await measure(isolated, hostUrl, runs));
      const own = await loaderScriptMs(isolated, hostUrl, traceRuns);
      siteIsolated.loaderScriptMs = { total: r2(own.evaluate + own.listeners), evaluation: r2(own.evaluate), listeners: r2(own.listeners) };
      // What the snippet's extra milliseconds are made of, against the same tag with an empty script.
      if (attributionRounds > 0) siteIsolated.attribution = await attribution(isolated, hostUrl, attributionRounds);
    } finally {
      await isolated.close();
    }
    let shared = null;
    if (oneProcess) {
      const b = await chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, '--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process'] });
      try {
        shared = costs(await measure(b, hostUrl, runs));
      } finally {
        await b.close();
      }
    }
    return { runs, siteIsolated, oneProcess: shared };
  } finally {
    server.close();
  }
}
