/**
 * The one limiter for every secret code Parley checks: TOTP codes (at sign-in, enrolment
 * confirmation and disabling) and invitation tokens. Wrong codes are counted per key; over the
 * limit every check for that key is refused (429) before the code is even looked at, until the
 * window ends. Keys: an agent (`totp:<agentId>`; a known device gets its own, so a stranger who
 * knows the password cannot use up the owner's budget) or an address for invitation links.
 * In memory, per node, like the other limiters (a client spread over N nodes gets N times the limit).
 */
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { RateLimiter } from './rateLimiter.js';

export const CODE_LIMITS = {
  /** Wrong TOTP codes per agent (or per known device of the agent) per 15 minutes. */
  totp: { failures: 10, windowMs: 15 * 60_000 },
  /** Wrong invitation tokens per address per 15 minutes. */
  invitation: { failures: 30, windowMs: 15 * 60_000 },
} as const;

export type CodeKind = keyof typeof CODE_LIMITS;

export class CodeAttempts {
  private readonly limiters = Object.fromEntries(Object.entries(CODE_LIMITS).map(([k, v]) => [k, new RateLimiter(v.failures, v.windowMs)])) as Record<CodeKind, RateLimiter>;

  /** Refuses (429) when `key` has used up its wrong codes. */
  assertAllowed(kind: CodeKind, key: string): void {
    if (this.limiters[kind].blocked(key)) throw new AppError('rate_limited', 'Too many wrong codes; try again in 15 minutes');
  }

  failed(kind: CodeKind, key: string): void {
    this.limiters[kind].hit(key);
  }

  succeeded(kind: CodeKind, key: string): void {
    this.limiters[kind].reset(key);
  }
}

/** One per app (its Ctx): sign-in, the two-factor routes and invitation links share it. */
const byApp = new WeakMap<Ctx, CodeAttempts>();
export function codeAttemptsOf(ctx: Ctx): CodeAttempts {
  let codes = byApp.get(ctx);
  if (!codes) byApp.set(ctx, (codes = new CodeAttempts()));
  return codes;
}
