/**
 * The demo shop: a stand-in for a tenant's website, on its own origin (another port), with the
 * widget embedded exactly as a tenant would embed it — one script tag with SRI, nothing else.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_TEMPLATES_DIR } from '../../paths.js';

export function demoSite(snippet: () => string): FastifyInstance {
  const app = Fastify({ logger: false });
  const page = (name: string) => readFileSync(join(DEMO_TEMPLATES_DIR, name), 'utf8');
  const render = (name: string) => page(name).replace('{{EMBED_SNIPPET}}', snippet());
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    // A CSP a careful shop would use: scripts only from itself and Parley's pinned loader.
  };
  app.get('/', (_req, reply) => reply.redirect('/demo'));
  app.get('/demo', (_req, reply) => reply.headers(headers).send(render('shop.html')));
  app.get('/demo/checkout', (_req, reply) => reply.headers(headers).send(render('checkout.html')));
  return app;
}
