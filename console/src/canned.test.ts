import { describe, expect, it } from 'vitest';
import { cannedQuery, expandCanned, matchCanned } from './canned.js';

const list = [
  { id: '1', shortcut: 'refund', title: 'Refund policy', body: 'Hi {{visitor.name}}, refunds take 5 days. {{agent.name}}' },
  { id: '2', shortcut: 'ref', title: 'Reference number', body: 'Your reference?' },
  { id: '3', shortcut: 'shipping', title: 'Shipping', body: 'Ships in 24h' },
];

describe('canned responses', () => {
  it('recognises a /shortcut being typed', () => {
    expect(cannedQuery('/ref')).toBe('ref');
    expect(cannedQuery('/')).toBe('');
    expect(cannedQuery('hello /ref')).toBeNull();
    expect(cannedQuery('/ref now')).toBeNull();
  });

  it('suggests matching shortcuts, exact match first', () => {
    expect(matchCanned(list, 'ref').map((c) => c.shortcut)).toEqual(['ref', 'refund']);
    expect(matchCanned(list, '').map((c) => c.shortcut)).toEqual(['ref', 'refund', 'shipping']);
    expect(matchCanned(list, 'zzz')).toEqual([]);
  });

  it('fills in variables, with a fallback for an unknown visitor name', () => {
    const vars = { visitor: { name: 'Ada', email: 'ada@example.com' }, agent: { name: 'Sam' } };
    expect(expandCanned(list[0]!.body, vars, 'there')).toBe('Hi Ada, refunds take 5 days. Sam');
    expect(expandCanned('Hi {{ visitor.name }} <{{visitor.email}}> {{other}}', { ...vars, visitor: { name: null, email: null } }, 'there')).toBe('Hi there <> {{other}}');
  });
});
