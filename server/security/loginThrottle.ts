/**
 * Failed sign-ins are limited so that guessing a password stays as hard as before, without letting
 * a stranger lock the real owner out (docs/SECURITY.md, "Sign-in throttling"):
 * - per (account, address): 5 failures per 15 minutes — one address guessing at one account;
 * - per address: 20 failures per 15 minutes — one address spraying many accounts;
 * - per account, from all addresses: 20 failures per hour — many addresses guessing at one account.
 *   Over it the account is protected: a sign-in is only considered from a known device
 *   (security/knownDevices.ts) or with a two-factor code; with a code, only the right password
 *   AND the right code get in, and every other answer is the same refusal (no password oracle).
 * A known device's attempts count on their own (per account and device), so nothing done from
 * elsewhere blocks the owner's own browser. Counted for unknown emails too (no enumeration).
 * In memory, per node, like the other limiters.
 */
import { AppError } from '../errors.js';
import { RateLimiter } from './rateLimiter.js';

export const LOGIN_LIMITS = {
  perAccountAddress: { failures: 5, windowMs: 15 * 60_000 },
  perAddress: { failures: 20, windowMs: 15 * 60_000 },
  perAccount: { failures: 20, windowMs: 60 * 60_000 },
  perKnownDevice: { failures: 5, windowMs: 15 * 60_000 },
} as const;

const limiter = (l: { failures: number; windowMs: number }) => new RateLimiter(l.failures, l.windowMs);

export interface LoginAttempt {
  account: string;
  address: string;
  /** The known device this attempt comes from, if it presented one for this account. */
  device: string | null;
}

export class LoginThrottle {
  private readonly pair = limiter(LOGIN_LIMITS.perAccountAddress);
  private readonly address = limiter(LOGIN_LIMITS.perAddress);
  private readonly account = limiter(LOGIN_LIMITS.perAccount);
  private readonly device = limiter(LOGIN_LIMITS.perKnownDevice);

  /**
   * Before the password is checked: refuses (429) an attempt whose own limits are used up.
   * Returns whether the account is protected, in which case the caller must also require a
   * valid two-factor code (or refuse at once when none was given).
   */
  admit(a: LoginAttempt): { protectedAccount: boolean } {
    if (a.device) {
      if (this.device.blocked(`${a.account}|${a.device}`)) throw tooMany();
      return { protectedAccount: false };
    }
    if (this.pair.blocked(`${a.account}|${a.address}`) || this.address.blocked(a.address)) throw tooMany();
    return { protectedAccount: this.account.blocked(a.account) };
  }

  failed(a: LoginAttempt): void {
    if (a.device) {
      this.device.hit(`${a.account}|${a.device}`);
      return;
    }
    this.pair.hit(`${a.account}|${a.address}`);
    this.address.hit(a.address);
    this.account.hit(a.account);
  }

  succeeded(a: LoginAttempt): void {
    if (a.device) this.device.reset(`${a.account}|${a.device}`);
    else this.pair.reset(`${a.account}|${a.address}`);
  }
}

const tooMany = () => new AppError('rate_limited', 'Too many login attempts; try again in 15 minutes');

/** The refusal of a protected account: the same whatever the password was, and it asks for the code. */
export const protectedAccountRefusal = () =>
  new AppError('rate_limited', 'Too many failed sign-ins to this account from elsewhere: sign in with your two-factor code, or from a device you have signed in with before', { totpRequired: true });
