// The host page's main-thread cost of the embed snippet with the chat closed (DESIGN.md: the loader
// under 5 ms; the page with the chat closed <= 1.1x the page alone), measured in
// Debian's Chromium: the same checkout page loaded with and without the snippet, each in a fresh
// browser context (empty cache: a first visit, the dearest), alternating, and Chromium's own
// counters for the page's main thread (CDP Performance.getMetrics: TaskDuration, ScriptDuration,
// LayoutDuration, RecalcStyleDuration) read once the widget frame has loaded and laid itself out.
// The cost is the difference of the medians. Parley is served from 127.0.0.1 and the page from
// localhost, two sites, as a tenant's shop and Parley are: desktop Chromium runs the frame in its
// own process, so the frame's own work is not on the page's main thread. The same measurement
// with site isolation turned off (as on devices that keep one process for both) is reported too.
// Then the loader's own script, exactly, from Chromium's trace: its evaluation and listeners, with
// and without the one call that inserts the frame (Chromium's work, which any iframe costs).
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];

/** A checkout page as a shop would have one: a form, a few styles, some text. */
function checkoutPage(snippet) {
  const items = Array.from({ length: 20 }, (_, i) => `<li>Item ${i + 1} <span>€${(i * 3.7 + 9).toFixed(2)}</span></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
<style>body{font:16px system-ui;margin:2rem;max-width:40rem}label{display:block;margin:.5rem 0}input{width:100%;padding:.4rem}li{display:flex;justify-content:space-between}</style></head>
<body><h1>Checkout</h1><ul>${items}</ul>
<form><label>Name <input name="name" autocomplete="cc-name"></label><label>Card number <input name="card" autocomplete="cc-number"></label>
<label>Expiry <input name="exp" autocomplete="cc-exp"></label><label>Security code <input name="cvc" autocomplete="cc-csc"></label><button>Pay</button></form>
${snippet}</body></html>`;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Time for the frame to load and lay itself out, the same for both pages. Nothing waits by running
// script in the page (a polling wait would itself cost main-thread time): the widget is checked
// only after the counters are read.
const SETTLE_MS = 1000;

async function loadOnce(browser, url, variant) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(SETTLE_MS);
    const { metrics } = await cdp.send('Performance.getMetrics');
    if (variant === 'iframe') {
      // The bare frame did load.
      const frame = page.frames().find((f) => f.url().includes('/widget/frame/'));
      if (!frame) throw new Error(`the widget frame did not load on ${url}`);
    } else if (variant === 'snippet') {
      // The loader ran and laid out its launcher; with the chat closed there is no frame at all.
      const height = await page.evaluate(() => getComputedStyle(document.querySelector('parley-chat')).height);
      if (height !== '48px') throw new Error(`the launcher was not laid out on ${url} (height ${height})`);
      if (page.frames().length !== 1) throw new Error(`a frame exists on ${url} before the chat was opened`);
    }
    return Object.fromEntries(METRICS.map((m) => [m, 1000 * (metrics.find((x) => x.name === m)?.value ?? 0)]));
  } finally {
    await context.close();
  }
}

const VARIANTS = ['none', 'iframe', 'snippet'];

/** Per variant and counter, the median over `runs` loads (variants interleaved), in ms. */
async function measure(browser, hostUrl, runs) {
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let i = 0; i < runs + 1; i++) {
    for (const v of VARIANTS) {
      const m = await loadOnce(browser, `${hostUrl}/checkout?page=${v}`, v);
      if (i > 0) samples[v].push(m); // the first round pays the browser's own first-use work
    }
  }
  return Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(METRICS.map((m) => [m, +median(samples[v].map((s) => s[m])).toFixed(2)]))]));
}

/**
 * The loader's own script, exactly: the durations of the trace events that run its code on the
 * page's main thread (its evaluation; its message and resize listeners), per load, as medians.
 * With `insert` false the page first makes appendChild of an iframe do nothing, so the loader runs
 * whole but for Chromium's insertion of the frame: the difference is what that one call costs.
 */
async function loaderScriptMs(browser, hostUrl, runs, insert) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await browser.startTracing(page, { categories: ['devtools.timeline'] });
      await page.goto(`${hostUrl}/checkout?page=${insert ? 'snippet' : 'snippet-uninserted'}`, { waitUntil: 'load' });
      await page.waitForTimeout(insert ? SETTLE_MS : 200);
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
 * What the snippet and the bare iframe add to the page alone, per counter, and the closed-chat
 * ratios of the budget (main-thread task time of the whole page): with the snippet vs the
 * page alone (goal <= 1.1), and vs the page with a bare cross-origin iframe.
 */
function costs(medians) {
  const added = (v) => Object.fromEntries(METRICS.map((m) => [m, +(medians[v][m] - medians.none[m]).toFixed(2)]));
  const task = (v) => medians[v].TaskDuration;
  return {
    pageAloneMs: medians.none,
    snippetAddsMs: added('snippet'),
    bareIframeAddsMs: added('iframe'),
    closedChatRatio: {
      snippetVsPageAlone: +(task('snippet') / task('none')).toFixed(3),
      snippetVsBareIframe: +(task('snippet') / task('iframe')).toFixed(3),
      bareIframeVsPageAlone: +(task('iframe') / task('none')).toFixed(3),
    },
  };
}

/**
 * `snippet` is Parley's embed snippet for a tenant that allows `http://localhost:<hostPort>`;
 * `frameUrl` the widget frame's URL for that tenant and host. Three pages, the same but for that:
 * the page alone; the page with a bare cross-origin iframe of the widget frame, created by an inline
 * script (the least any frame-isolated widget can cost: the baseline); the page with the snippet.
 */
export async function measureLoaderCost({ snippet, frameUrl, hostPort, runs = 11 }) {
  const bare = `<script>var f=document.createElement('iframe');f.src=${JSON.stringify(frameUrl)};f.style.cssText='position:fixed;bottom:0;right:0;width:96px;height:96px;border:0';document.body.appendChild(f)</script>`;
  const uninserted = `<script>(function(){var a=Node.prototype.appendChild;Node.prototype.appendChild=function(n){return n instanceof HTMLIFrameElement?n:a.call(this,n)}})()</script>`;
  const pages = { snippet: checkoutPage(snippet), iframe: checkoutPage(bare), none: checkoutPage(''), 'snippet-uninserted': checkoutPage(uninserted + snippet) };
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://localhost');
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
      const inserted = await loaderScriptMs(isolated, hostUrl, runs, true);
      const uninserted = await loaderScriptMs(isolated, hostUrl, runs, false);
      const ms = (x) => +x.toFixed(2);
      siteIsolated.loaderScriptMs = {
        total: ms(inserted.evaluate + inserted.listeners),
        insertingTheFrame: ms(inserted.evaluate - uninserted.evaluate),
        // Its evaluation but for the insertion, and its listeners (the frame's layout requests).
        ownWork: ms(uninserted.evaluate + inserted.listeners),
        ownEvaluation: ms(uninserted.evaluate),
        listeners: ms(inserted.listeners),
      };
    } finally {
      await isolated.close();
    }
    const shared = await chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, '--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process'] });
    let oneProcess;
    try {
      oneProcess = costs(await measure(shared, hostUrl, runs));
    } finally {
      await shared.close();
    }
    return { runs, siteIsolated, oneProcess };
  } finally {
    server.close();
  }
}
