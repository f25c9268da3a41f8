import { describe, expect, it } from 'vitest';
import { catalogs, pickLang } from './i18n.js';

describe('i18n', () => {
  it('has the same complete set of strings in every language', () => {
    const keys = Object.keys(catalogs.en).sort();
    expect(Object.keys(catalogs.fr).sort()).toEqual(keys);
    for (const [k, v] of Object.entries(catalogs.fr)) {
      if (typeof v === 'string') expect(v.length, k).toBeGreaterThan(0);
      else expect(typeof (catalogs.en as Record<string, unknown>)[k]).toBe('function');
    }
  });

  it('picks French for fr-*, English otherwise', () => {
    expect(pickLang(['fr-CA'])).toBe('fr');
    expect(pickLang(['FR'])).toBe('fr');
    expect(pickLang(['de-DE'])).toBe('en');
    expect(pickLang([])).toBe('en');
  });
});
