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
