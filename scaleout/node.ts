/**
 * One Parley node as a real process for the scale-out and fault tests, run from source with tsx
 * (so the tests never depend on a stale dist/). Same boot as server/main.ts (server/boot.ts), plus one test hook:
 * PARLEY_PG_SCHEMA puts the node in a fresh PostgreSQL schema, as testParley does in-process.
 */
import { parseEnv } from '../server/env.js';
import { createLogger } from '../server/app.js';
import { bootParley } from '../server/boot.js';

const env = parseEnv();
const log = createLogger(env);
// Listens at once and answers 503 until ready, waiting for PostgreSQL if needed (server/boot.ts).
const { parley, address } = await bootParley(env, log, { storage: { pgSchema: process.env.PARLEY_PG_SCHEMA || undefined } }).catch((err: unknown) => {
  console.error('parley failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
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
