import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, openTotpSecret, sealTotpSecret, totpCode, verifyTotp } from './totp.js';

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 test vectors (SHA-1, 8 digits)', () => {
    const key = Buffer.from('12345678901234567890');
    const vectors: Array<[number, string]> = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
    for (const [time, code] of vectors) expect(hotp(key, Math.floor(time / 30), 8)).toBe(code);
  });
  it('round-trips base32 and sealed secrets, and accepts each step once with ±1 drift', () => {
    const secret = base32Encode(Buffer.from('12345678901234567890'));
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(secret).toString()).toBe('12345678901234567890');
    const key = Buffer.alloc(32, 7);
    const sealed = sealTotpSecret(key, secret);
    expect(sealed).not.toContain(secret);
    expect(openTotpSecret(key, sealed)).toBe(secret);
    expect(() => openTotpSecret(Buffer.alloc(32, 8), sealed)).toThrow();
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(verifyTotp(secret, totpCode(secret, now), 0, now)).toBe(step);
    expect(verifyTotp(secret, totpCode(secret, now - 30_000), 0, now)).toBe(step - 1);
    expect(verifyTotp(secret, totpCode(secret, now - 60_000), 0, now)).toBeNull();
    expect(verifyTotp(secret, totpCode(secret, now), step, now)).toBeNull(); // already used
  });
});
