import { describe, expect, it } from 'vitest';
import { redactField } from '../../../protocol/redaction.js';
import { DRAFT_MAX, draftStore } from './draft.js';

function memory() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe('the unsent draft', () => {
  it('is kept across a close (a new frame reads what the old one saved)', () => {
    const s = memory();
    draftStore('parley:k:draft', (t) => redactField(t), s).save('Where is my order 1234?');
    expect(draftStore('parley:k:draft', (t) => redactField(t), s).load()).toBe('Where is my order 1234?');
  });

  it('never keeps a card number: it is stored redacted, as it would be sent', () => {
    const s = memory();
    draftStore('d', (t) => redactField(t), s).save('my card is 4242 4242 4242 4242 thanks');
    const stored = [...s.m.values()].join(' ');
    expect(stored.replace(/\D/g, '')).not.toContain('4242424242424242');
    expect(stored).toContain('thanks');
  });

  it('is removed when emptied or sent, and not kept when oversized or when storage is blocked', () => {
    const s = memory();
    const d = draftStore('d', (t) => t, s);
    d.save('hello');
    d.save('   ');
    expect(s.m.size).toBe(0);
    d.save('x'.repeat(DRAFT_MAX + 1));
    expect(s.m.size).toBe(0);
    const blocked = draftStore('d', (t) => t, null);
    blocked.save('hello');
    expect(blocked.load()).toBe('');
    const throwing = draftStore('d', (t) => t, { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => {} });
    expect(() => throwing.save('hi')).not.toThrow();
    expect(throwing.load()).toBe('');
  });
});
