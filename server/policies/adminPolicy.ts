/** Rules of the admin area beyond "same tenant" (that check stays in tenantScope.ts). */
import { AppError } from '../errors.js';
import { webhookUrlProblem } from '../../protocol/webhookUrl.js';

/**
 * Allowed embedding origins must be bare origins: http(s), a host, an optional port, nothing else
 * (no path, query, credentials or wildcard). Returned normalised (lowercase, no default port), unique.
 */
export function validateOrigins(origins: string[]): string[] {
  const out: string[] = [];
  for (const raw of origins) {
    const given = raw.trim();
    let u: URL;
    try {
      u = new URL(given);
    } catch {
      throw new AppError('validation_failed', `"${given}" is not an origin like https://shop.example`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AppError('validation_failed', `"${given}" must use https (or http)`);
    if (u.username || u.password || given.includes('*')) throw new AppError('validation_failed', `"${given}" must be a bare origin, without credentials or wildcards`);
    if (u.pathname !== '/' || u.search || u.hash || /[?#]/.test(given)) {
      throw new AppError('validation_failed', `"${given}" must be a bare origin like ${u.origin} (no path, query or fragment)`);
    }
    if (!out.includes(u.origin)) out.push(u.origin);
  }
  return out;
}

/** Webhook receivers: http(s) URLs; plain http only to loopback (local development). */
export function validateWebhookUrl(raw: string): string {
  const problem = webhookUrlProblem(raw);
  if (problem === 'invalid') throw new AppError('validation_failed', 'webhook url is not a valid URL');
  if (problem === 'https') throw new AppError('validation_failed', 'webhook url must use https');
  if (problem === 'credentials') throw new AppError('validation_failed', 'webhook url must not contain credentials');
  return new URL(raw).toString();
}
