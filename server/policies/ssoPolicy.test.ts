import { describe, expect, it } from 'vitest';
import { normaliseDomains, roleFromClaim, validateIssuer } from './ssoPolicy.js';
import { parseScimFilter } from '../routes/scim/scim.js';

describe('SSO policy', () => {
  const mapping = { admin: ['admins'], supervisor: ['leads'], agent: ['support'] };

  it('maps a claim to the highest matching role, else the default, else refuses', () => {
    expect(roleFromClaim(['support', 'admins'], mapping, null)).toBe('admin');
    expect(roleFromClaim('leads', mapping, null)).toBe('supervisor');
    expect(roleFromClaim(['other'], mapping, 'agent')).toBe('agent');
    expect(roleFromClaim(['other'], mapping, null)).toBeNull();
    // Not a string or array of strings: absent.
    expect(roleFromClaim({ admins: true }, mapping, null)).toBeNull();
    expect(roleFromClaim([1, 'admins'], mapping, null)).toBe('admin');
    expect(roleFromClaim(undefined, mapping, 'supervisor')).toBe('supervisor');
  });

  it('accepts https issuers, and plain http only to loopback when allowed', () => {
    expect(validateIssuer('https://login.example.com/tenant', false)).toBe('https://login.example.com/tenant');
    expect(() => validateIssuer('http://login.example.com', true)).toThrow(/https/);
    expect(() => validateIssuer('http://127.0.0.1:8080', false)).toThrow(/https/);
    expect(validateIssuer('http://127.0.0.1:8080', true)).toBe('http://127.0.0.1:8080');
    expect(() => validateIssuer('https://user:pw@login.example.com', false)).toThrow(/credentials/);
    expect(() => validateIssuer('https://login.example.com/?x=1', false)).toThrow(/query/);
    expect(() => validateIssuer('not a url', false)).toThrow(/valid URL/);
    expect(() => validateIssuer('javascript:alert(1)', true)).toThrow(/https/);
  });

  it('normalises allowed domains and refuses anything else', () => {
    expect(normaliseDomains([' Corp.Example ', '@corp.example', 'sub.corp.example'])).toEqual(['corp.example', 'sub.corp.example']);
    for (const bad of ['corp', '*.corp.example', 'corp.example/x', 'a b.example', 'user@corp.example']) expect(() => normaliseDomains([bad])).toThrow();
  });

  it('SCIM filter: only userName eq "…"', () => {
    expect(parseScimFilter(undefined)).toBeNull();
    expect(parseScimFilter('userName eq "Sam@Corp.Example"')).toBe('sam@corp.example');
    expect(parseScimFilter('username EQ "a\\"b@x.example"')).toBe('a"b@x.example');
    for (const bad of ['userName co "x"', 'emails eq "x"', 'userName eq "x" or userName eq "y"', 'userName eq x']) expect(() => parseScimFilter(bad)).toThrow(/only the filter/);
  });
});
