import { describe, expect, it } from 'vitest';
import { normaliseWords } from './blindIndex.js';

/**
 * The definition of a message's words (blindIndex.ts's header), written the plain way. Stored search
 * tokens were made from exactly these words: normaliseWords may be faster, never different, or
 * searches stop finding older messages.
 */
function reference(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2 && w.length <= 40);
  return [...new Set(words)].slice(0, 200);
}

describe('normaliseWords', () => {
  it('finds the words of the definition', () => {
    expect(normaliseWords('lk3j4l5k — Hello, I have a question about my ORDER, could you check the delivery date please? hello')).toEqual(
      ['lk3j4l5k', 'hello', 'have', 'question', 'about', 'my', 'order', 'could', 'you', 'check', 'the', 'delivery', 'date', 'please'],
    );
    expect(normaliseWords('Grüße aus Köln — ﬁne ＡＢＣ x²y İstanbul 東京タワー')).toEqual(reference('Grüße aus Köln — ﬁne ＡＢＣ x²y İstanbul 東京タワー'));
  });

  it('is the definition on any text (ASCII, other scripts, marks, compatibility forms, astral characters, long texts)', () => {
    const alphabet = [...'abcXYZ019 _-.,;\t\n', 'é', 'ü', 'ß', 'İ', 'ﬁ', 'Ａ', '²', '٣', '—', '…', '\u00a0', '\u200d', '\u0301', '\u0307', '東', 'タ', 'я', '𝐀', '𠀀', '👋', 'K'];
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 3000; i++) {
      const length = random(i % 100 === 0 ? 3000 : 80);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[random(alphabet.length)];
      expect(normaliseWords(text), JSON.stringify(text)).toEqual(reference(text));
    }
    // More than 200 distinct words: the first 200.
    const many = Array.from({ length: 300 }, (_, i) => `w${i} Wörd${i}`).join(' ');
    expect(normaliseWords(many)).toEqual(reference(many));
    expect(normaliseWords(many)).toHaveLength(200);
  });
});
