/** Rules of single sign-on settings and of who an identity provider's answer makes an agent. */
import type { SsoRoleMapping } from '../../protocol/sso.js';
import { AppError } from '../errors.js';
import type { Agent } from '../storage/schema.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The issuer is fetched by the server (discovery, token, keys): https only, without credentials,
 * query or fragment. Plain http only to loopback and only when SSO_ALLOW_HTTP_LOOPBACK is on
 * (tests and local development), so a tenant admin cannot point the server at plain-text endpoints.
 */
export function validateIssuer(raw: string, allowHttpLoopback: boolean): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AppError('validation_failed', 'issuer is not a valid URL');
  }
  const httpOk = allowHttpLoopback && u.protocol === 'http:' && LOOPBACK.has(u.hostname);
  if (u.protocol !== 'https:' && !httpOk) throw new AppError('validation_failed', 'issuer must use https');
  if (u.username || u.password || u.search || u.hash) throw new AppError('validation_failed', 'issuer must not contain credentials, a query or a fragment');
  // Kept as typed (minus a trailing slash the IdP did not publish): discovery compares it exactly.
  return raw.trim();
}

/** Lowercase bare domains (`example.com`), unique. */
export function normaliseDomains(domains: string[]): string[] {
  const out: string[] = [];
  for (const raw of domains) {
    const d = raw.trim().toLowerCase().replace(/^@/, '');
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d)) throw new AppError('validation_failed', `"${raw}" is not a domain like example.com`);
    if (!out.includes(d)) out.push(d);
  }
  return out;
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

const RANK: Agent['role'][] = ['agent', 'supervisor', 'admin'];

/**
 * The role the claim's values map to (the highest when several match), else the default role, else
 * null (refused). The claim may be a string or an array of strings; anything else counts as absent.
 */
export function roleFromClaim(value: unknown, mapping: SsoRoleMapping, defaultRole: Agent['role'] | null): Agent['role'] | null {
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  let best = -1;
  for (const role of RANK) if (mapping[role].some((m) => values.includes(m))) best = Math.max(best, RANK.indexOf(role));
  return best >= 0 ? RANK[best]! : defaultRole;
}
