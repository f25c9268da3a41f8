/**
 * One Parley node as a real process for the scale-out and fault tests, run from source with tsx
 * (so the tests never depend on a stale dist/). Same wiring as server/main.ts, plus one test hook:
 * PARLEY_PG_SCHEMA puts the node in a fresh PostgreSQL schema, as testParley does in-process.
 */
import { parseEnv } from '../server/env.js';
import { buildParley, createLogger } from '../server/app.js';

const env = parseEnv();
const log = createLogger(env);
const parley = await buildParley({ env, logger: log, storage: { pgSchema: process.env.PARLEY_PG_SCHEMA || undefined } });
const address = await parley.app.listen({ port: env.port, host: env.host });
process.stdout.write(`PARLEY_LISTENING ${address}\n`);
// Test hook: SIGUSR2 collects garbage (when started with --expose-gc) and prints memory in use.
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`PARLEY_MEMORY ${JSON.stringify({ heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss })}\n`);
});
process.on('SIGTERM', () => {
  void parley.close().finally(() => process.exit(0));
});
