/**
 * Standard Webhooks (standardwebhooks.com): headers webhook-id, webhook-timestamp and
 * webhook-signature = "v1,<base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`>" keyed by the
 * base64-decoded part of the `whsec_` secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const newWebhookSecret = () => 'whsec_' + randomBytes(24).toString('base64');

const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** For receivers and tests: true when one of the space-separated signatures matches and the timestamp is within 5 minutes. */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now = Date.now()): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const ts = Number(headers['webhook-timestamp']);
  if (!id || !Number.isInteger(ts) || Math.abs(now / 1000 - ts) > 300) return false;
  const expected = Buffer.from(signWebhook(secret, id, ts, body));
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((sig) => {
      const given = Buffer.from(sig);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
