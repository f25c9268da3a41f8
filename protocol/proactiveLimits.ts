/**
 * Limits of proactive messages (issue 20 item 4), a value module with no imports: browser apps (the
 * console's admin screen) import it without TypeBox; the loader duplicates `text` (loader.test.ts
 * checks they are equal).
 */
export const PROACTIVE_LIMITS = {
  /** Longest message: what the loader shows in its launcher bubble (it cuts there too). */
  text: 140,
  /** At most this many proactive messages to one visitor per period, whatever the rules. */
  perVisitor: 3,
  periodHours: 24,
  /** A rule is shown to one visitor at most once per cooldown (hours; default 24). */
  cooldownHours: { min: 1, max: 720, default: 24 },
  /** Time-on-page conditions, in seconds. */
  maxSeconds: 3600,
  /** Rules per tenant. */
  rules: 50,
} as const;
