import { describe, expect, it } from 'vitest';
import { parseIdentity } from './identity.js';

describe('identity from the frame URL fragment', () => {
  it('reads a user id with its HMAC, or a JWT', () => {
    expect(parseIdentity('#uid=cust-1&uh=ABCdef01')).toEqual({ userId: 'cust-1', hash: 'ABCdef01' });
    expect(parseIdentity('#jwt=a.b.c')).toEqual({ jwt: 'a.b.c' });
    expect(parseIdentity('#uid=cust-1&uh=<script>')).toEqual({ userId: 'cust-1' });
    expect(parseIdentity('')).toBeNull();
  });
});
