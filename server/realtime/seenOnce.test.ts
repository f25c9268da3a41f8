import { describe, expect, it } from 'vitest';
import { SeenOnce } from './seenOnce.js';

describe('conversations recorded once per socket', () => {
  it('says first once per id, and again after a failed recording is forgotten', () => {
    const s = new SeenOnce();
    expect(s.first('c1')).toBe(true);
    expect(s.first('c1')).toBe(false);
    s.forget('c1');
    expect(s.first('c1')).toBe(true);
  });

  it('past its bound starts over: deliveries are recorded again, never silently dropped', () => {
    const s = new SeenOnce(3);
    for (const id of ['a', 'b', 'c']) expect(s.first(id)).toBe(true);
    expect(s.first('d')).toBe(true); // the bound is reached: a new id is still recorded
    expect(s.first('a')).toBe(true); // and an old one is recorded again rather than never
    expect(s.first('d')).toBe(false);
  });
});
