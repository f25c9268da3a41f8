/**
 * A node that boots while its database is down (a restart of both, a database failover) waits for
 * it instead of exiting: the first step is retried with exponential backoff (250 ms doubling, at
 * most 5 s between attempts) for as long as DATABASE_WAIT_SECONDS allows. Only "not reachable"
 * failures (server/errors.ts isUnavailable) are retried; anything else — a bad password, a failed
 * migration — fails at once, since waiting would not fix it.
 */
import { isUnavailable } from '../errors.js';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

export async function waitForDatabase<T>(
  step: () => Promise<T>,
  opts: { waitMs: number; onWait?: (attempt: number, delayMs: number, err: unknown) => void },
): Promise<T> {
  const deadline = Date.now() + opts.waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const left = deadline - Date.now();
      if (!isUnavailable(err) || left <= 0) throw err;
      const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1), left);
      opts.onWait?.(attempt, delay, err);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Kysely's migrator first lists every table of every schema in the database; a schema that another
 * process drops during that listing (other tenants' test schemas, a parallel deployment) makes it
 * fail with 3F000 "schema does not exist" — about someone else's schema, not ours. Run it again
 * (migrateToLatest reports failures in its outcome; nothing of ours was applied by the failed run).
 */
export async function retryWhileSchemasChange<T extends { error?: unknown }>(migrate: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await migrate();
    if (attempt >= attempts || !hasCode(outcome.error, '3F000')) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
  }
}

function hasCode(err: unknown, code: string): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}
