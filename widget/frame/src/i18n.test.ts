import { describe, expect, it } from 'vitest';
import { greetingIn } from './i18n.js';

describe('greetingIn', () => {
  const config = { greeting: 'Hi! We are here.', greetings: { fr: 'Bonjour ! Nous sommes là.' } };
  it('greets in the widget\'s language when the tenant wrote that greeting, with the main greeting otherwise', () => {
    expect(greetingIn(config, 'fr')).toBe('Bonjour ! Nous sommes là.');
    expect(greetingIn(config, 'en')).toBe('Hi! We are here.');
    expect(greetingIn({ greeting: 'Bonjour !', greetings: { en: 'Hello!' } }, 'en')).toBe('Hello!');
  });
  it('falls back to the main greeting when there are no greetings or that one is empty (a server from before them)', () => {
    expect(greetingIn({ greeting: 'Hi!' }, 'fr')).toBe('Hi!');
    expect(greetingIn({ greeting: 'Hi!', greetings: { fr: '' } }, 'fr')).toBe('Hi!');
  });
});
