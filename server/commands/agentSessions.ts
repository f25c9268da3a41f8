/**
 * Agent sessions: an opaque random token in an HttpOnly cookie, stored only as its SHA-256.
 * Each session carries its own CSRF token, required on every state-changing request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { randomToken } from '../security/ids.js';
import { redactString } from '../security/sinkRedaction.js';
import { dummyPasswordHash, verifyPassword } from '../security/passwords.js';
import { LoginThrottle, protectedAccountRefusal } from '../security/loginThrottle.js';
import { issueDevice, knownDeviceOf } from '../security/knownDevices.js';
import type { Agent, Session } from '../storage/schema.js';
import { checkLoginTotp, totpState } from './totpEnrolment.js';
import { checkPasswordLoginAllowed } from './ssoPasswordGate.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class AgentSessions {
  /** Failed sign-ins (security/loginThrottle.ts); codes are limited in security/codeAttempts.ts. */
  private readonly throttle = new LoginThrottle();

  constructor(private readonly ctx: Ctx) {}

  /**
   * Signs in; `deviceCookie` is the browser's known-device cookie, if any. Returns a known-device
   * cookie value to (re)set on the browser.
   */
  async login(email: string, password: string, ip: string, userAgent: string | null, totp?: string, deviceCookie?: string): Promise<{ token: string; session: Session; agent: Agent; device: string }> {
    const normalised = email.trim().toLowerCase();
    const db = this.ctx.storage.db;
    const agent = await db.selectFrom('agents').selectAll().where('email', '=', normalised).where('disabled_at', 'is', null).executeTakeFirst();
    const attempt = { account: normalised, address: ip, device: agent ? knownDeviceOf(this.ctx.env.secretKey, deviceCookie, agent.id) : null };
    const { protectedAccount } = this.throttle.admit(attempt);
    // A protected account is only considered with a code: without one, refuse before the password is checked.
    if (protectedAccount && !totp) throw protectedAccountRefusal();
    const ok = await verifyPassword(agent?.password_hash ?? (await dummyPasswordHash()), password);
    if (!agent || !ok) {
      this.throttle.failed(attempt);
      throw protectedAccount ? protectedAccountRefusal() : new AppError('unauthorized', 'Wrong email or password');
    }
    // Second factor (security/totp.ts): a missing code is a prompt, a wrong one counts as a failure.
    // On a protected account every failure, the code limiter's refusal included, answers alike:
    // reaching the code check must not tell an attacker the password was right.
    const second = await checkLoginTotp(this.ctx, agent, totp, attempt.device).catch((err: unknown) => {
      if (protectedAccount) return 'wrong' as const;
      throw err;
    });
    if (protectedAccount && (second !== 'ok' || !(await totpState(db, agent)).enabled)) {
      this.throttle.failed(attempt);
      throw protectedAccountRefusal();
    }
    if (second === 'wrong') {
      this.throttle.failed(attempt);
      throw new AppError('unauthorized', 'Wrong two-factor code', { totpRequired: true });
    }
    if (second === 'missing') throw new AppError('unauthorized', 'Enter the 6-digit code from your authenticator app', { totpRequired: true });
    await checkPasswordLoginAllowed(this.ctx, agent, ip); // a tenant that requires SSO (commands/ssoPasswordGate.ts)
    this.throttle.succeeded(attempt);
    return { ...(await this.open(agent, ip, userAgent)), device: issueDevice(this.ctx.env.secretKey, agent.id) };
  }

  /** A new session for an agent who has just proven who they are (password login, or SSO). */
  async open(agent: Agent, ip: string, userAgent: string | null): Promise<{ token: string; session: Session; agent: Agent }> {
    const db = this.ctx.storage.db;
    const token = randomToken(32);
    const now = Date.now();
    const session: Session = {
      id: sha256(token),
      agent_id: agent.id,
      tenant_id: agent.tenant_id,
      csrf_token: randomToken(24),
      created_at: now,
      expires_at: now + SESSION_TTL_MS,
      ip,
      // A header anyone can set: redacted like anything typed (before it is cut to length).
      user_agent: userAgent ? redactString(userAgent).slice(0, 500) : null,
    };
    await db.insertInto('sessions').values(session).execute();
    return { token, session, agent };
  }

  /**
   * The session and agent behind a cookie token, or null when missing, expired or the agent is
   * disabled, or when the tenant requires two-factor and the agent has not enrolled yet — unless
   * `allowTotpEnrolment` (the few routes that let such an agent enrol).
   */
  async resolve(token: string | undefined, opts: { allowTotpEnrolment?: boolean } = {}): Promise<{ session: Session; agent: Agent; totpEnrolmentRequired: boolean } | null> {
    if (!token || token.length > 200) return null;
    const db = this.ctx.storage.db;
    const session = await db.selectFrom('sessions').selectAll().where('id', '=', sha256(token)).executeTakeFirst();
    if (!session || session.expires_at <= Date.now()) return null;
    const agent = await db
      .selectFrom('agents')
      .selectAll()
      .where('id', '=', session.agent_id)
      .where('tenant_id', '=', session.tenant_id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (!agent) return null;
    const { enrolmentRequired } = await totpState(db, agent);
    if (enrolmentRequired && !opts.allowTotpEnrolment) return null;
    return { session, agent, totpEnrolmentRequired: enrolmentRequired };
  }

  async logout(token: string): Promise<void> {
    await this.ctx.storage.db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
  }

  static csrfMatches(session: Session, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(session.csrf_token);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
