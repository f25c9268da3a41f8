/**
 * Per-address, per-visitor and per-tenant limits on realtime connections and messages, and per
 * address on new visitor sessions (POST /api/widget/session), one set per
 * node (a client spread over N nodes by a load balancer gets at most N times the limit). Defaults in
 * protocol/limits.ts (LIMITS.rate); RATE_LIMITS overrides them ("off", or "messagesPerVisitor=120,…").
 */
import { LIMITS } from '../../protocol/limits.js';
import { AppError } from '../errors.js';
import { RateLimiter } from './rateLimiter.js';

export type RateLimitSettings = { -readonly [K in keyof typeof LIMITS.rate]: number };
export const RATE_LIMIT_NAMES = Object.keys(LIMITS.rate) as Array<keyof RateLimitSettings>;

/** Parses RATE_LIMITS: empty → defaults, "off" → none, "name=n,name=n" → defaults with overrides. */
export function parseRateLimits(raw: string | undefined, problems: string[]): RateLimitSettings | null {
  const settings: RateLimitSettings = { ...LIMITS.rate };
  if (raw === undefined || raw.trim() === '') return settings;
  if (['off', 'false', '0', 'no'].includes(raw.trim().toLowerCase())) return null;
  for (const part of raw.split(',')) {
    const [name, value] = part.split('=').map((x) => x.trim());
    const n = Number(value);
    if (!name || !RATE_LIMIT_NAMES.includes(name as keyof RateLimitSettings)) {
      problems.push(`RATE_LIMITS: unknown limit "${name ?? ''}"; known: ${RATE_LIMIT_NAMES.join(', ')}`);
    } else if (!Number.isInteger(n) || n < 1) {
      problems.push(`RATE_LIMITS: ${name} must be a positive integer (per minute)`);
    } else {
      settings[name as keyof RateLimitSettings] = n;
    }
  }
  return settings;
}

const WINDOW_MS = 60_000;

export class AbuseLimits {
  private readonly limiters: Record<keyof RateLimitSettings, RateLimiter> | null;

  constructor(readonly settings: RateLimitSettings | null) {
    this.limiters = settings
      ? (Object.fromEntries(RATE_LIMIT_NAMES.map((k) => [k, new RateLimiter(settings[k], WINDOW_MS)])) as Record<keyof RateLimitSettings, RateLimiter>)
      : null;
  }

  /** A new socket from an address (at upgrade, before any credentials are read). */
  connectionFromAddress(address: string): void {
    this.check('connectionsPerAddress', address, 'connections from your address');
  }

  /** A socket that has identified itself: a visitor (hello) or an agent (session cookie). */
  connectionOf(tenantId: string, visitorId: string | null): void {
    if (visitorId) this.check('connectionsPerVisitor', visitorId, 'connections for this visitor');
    this.check('connectionsPerTenant', tenantId, 'connections for this tenant');
  }

  /** A new visitor session (POST /api/widget/session): each creates a visitor row, so one address may not create them without bound. */
  sessionFromAddress(address: string): void {
    this.check('sessionsPerAddress', address, 'visitor sessions from your address');
  }

  /** A proactive-message ask or report (public: the frame may have no visitor token yet). */
  proactiveFromAddress(address: string): void {
    this.check('proactivePerAddress', address, 'proactive-message requests from your address');
  }

  message(address: string, tenantId: string, visitorId: string | null): void {
    if (visitorId) this.check('messagesPerVisitor', visitorId, 'messages from this visitor');
    this.check('messagesPerAddress', address, 'messages from your address');
    this.check('messagesPerTenant', tenantId, 'messages for this tenant');
  }

  private check(name: keyof RateLimitSettings, key: string, what: string): void {
    if (!this.limiters || !this.settings) return;
    if (!this.limiters[name].hit(key)) throw new AppError('rate_limited', `too many ${what} (limit ${this.settings[name]} per minute); retry later`);
  }
}
