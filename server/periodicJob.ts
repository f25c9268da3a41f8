import type { Logger } from 'pino';

/**
 * A pass run now and then every interval, never two at once: `tick()` while one runs returns that
 * one. Errors are logged, never thrown from the timer. Tests drive `tick()` directly.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly what: string,
    private readonly log: Pick<Logger, 'error'>,
    private readonly pass: () => Promise<void>,
  ) {}

  start(intervalMs: number): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.pass()
      .catch((err) => this.log.error({ err: (err as Error).message }, `${this.what} failed`))
      .finally(() => (this.running = null));
    return this.running;
  }
}

/** An env var of comma-separated "<first> <second>" pairs; `check` throws on a bad pair. Problems are collected. */
export function parsePairs<T>(name: string, raw: string | undefined, problems: string[], check: (first: string, second: string) => T): T[] {
  const out: T[] = [];
  for (const part of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [first, second, ...rest] = part.split(/\s+/);
    try {
      if (!first || !second || rest.length) throw new Error('expected two values separated by a space');
      out.push(check(first, second));
    } catch (err) {
      problems.push(`${name}: "${part.slice(0, 60)}": ${(err as Error).message}`);
    }
  }
  return out;
}
