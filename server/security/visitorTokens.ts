import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Visitor tokens: `v1.<tenantId>.<visitorId>.<hmac>`, HMAC-SHA256 under SECRET_KEY. Stateless, so any
 * node can check them, and a visitor can never claim another visitor's or another tenant's identity.
 */
export class VisitorTokens {
  constructor(private readonly key: Buffer) {}

  issue(tenantId: string, visitorId: string): string {
    const payload = `v1.${tenantId}.${visitorId}`;
    return `${payload}.${this.mac(payload)}`;
  }

  verify(token: string): { tenantId: string; visitorId: string } | null {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return null;
    const [, tenantId, visitorId, mac] = parts as [string, string, string, string];
    const expected = Buffer.from(this.mac(`v1.${tenantId}.${visitorId}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { tenantId, visitorId };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update('parley-visitor-token\0' + payload).digest('base64url');
  }
}
