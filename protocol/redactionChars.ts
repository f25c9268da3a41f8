/**
 * What each character is to the card scanner (redactionScan.ts): a digit (and its value), a
 * separator (and its kind), an invisible character, or something that ends a number. No
 * dependencies (runs in the widget frame and on the server).
 *
 * The classes are wide on purpose: a card number is a card however it was typed, and the brand
 * ranges, lengths and the Luhn check (redactionCards.ts) are what keep other numbers untouched.
 *
 * - Digits: every decimal digit (\p{Nd}: ASCII, full-width, Arabic-Indic, Devanagari, Thai,
 *   mathematical…); the digits that only compatibility normalisation (NFKC) makes plain
 *   (superscript ¹, subscript ₁, circled ①, parenthesised ⑴, ⒈, 🄂…, one character may be two
 *   digits: ⑯) and the dingbat circled digits ❶ ➀ ➊, which have no decomposition; the invisible
 *   tag digits U+E0030–E0039 (text hidden in a message is still held by every sink); the CJK
 *   numerals 〇一二…九 and the Hangzhou numerals 〡…〩.
 * - Separators: white space (a run of it counts once), every punctuation mark and symbol (dashes,
 *   dots, bullets ·•∙, slashes, commas, colons, pipes, plus, tilde, quotes, parentheses, stars…),
 *   lone surrogates, private-use and unassigned code points, except the square brackets that
 *   enclose a mask (`[card •••• 4242]`).
 * - Invisible: format characters (zero-width space/joiner, word joiner, soft hyphen, BOM, bidi marks
 *   and isolates, tags), combining marks (accents, keycap, variation selectors), control characters
 *   other than line breaks and tabs, Hangul fillers and the Braille blank. They never split a group
 *   and do not count towards a gap.
 */

/** A code point that may be a digit (its value is then read by digitsOfCodePoint; null there ends the number). */
export const DIGITISH_CLASS = String.raw`\p{Nd}\p{No}\u{E0030}-\u{E0039}\u3021-\u3029\u3007\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u2776-\u2793`;
/**
 * Separators: white space, punctuation and symbols, and what shows as a box or not at all (lone
 * surrogates, private-use and unassigned code points): anything that is neither a letter nor a
 * number. Square brackets are excepted (GAP_CHAR).
 */
export const SEPARATOR_CLASS = String.raw`\s\p{P}\p{S}\p{Cs}\p{Co}\p{Cn}`;
export const INVISIBLE_CLASS = String.raw`\p{Cf}\p{M}\p{Cc}\u115f\u1160\u3164\uffa0\u2800`;
/** One character between two digits: a separator (not a square bracket) or an invisible character (not a tag digit). */
export const GAP_CHAR = String.raw`(?:(?![[\]\u{E0030}-\u{E0039}])[${SEPARATOR_CLASS}${INVISIBLE_CLASS}])`;

const ND = /\p{Nd}/u;
const NO = /\p{No}/u;
const WHITE = /\s/u;
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/;
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, 'u');
const SEPARATOR = new RegExp(`(?![[\\]])[${SEPARATOR_CLASS}]`, 'u');
const DASH = /[\p{Pd}\u2212\u2043\ufe63\uff0d]/u;
const DOT = /[.\u00b7\u2022\u2024\u2027\u2219\u22c5\u3002\uff0e\u30fb\uff65\u2e31\u2e33\u2981\u25e6\u2023]/u;
const SLASH = /[/\\\uff0f\uff3c\u2215\u2044\u29f8\u29f9]/u;
const UNDERSCORE = /[_\uff3f]/u;
const COMMA = /[,\uff0c\u3001\u060c\ufe50\ufe51]/u;
const COLON = /[:\uff1a\ufe55;\uff1b]/u;
const BAR = /[|\u00a6\uff5c\u2223]/u;

const CJK = new Map<number, string>([[0x3007, '0'], [0x4e00, '1'], [0x4e8c, '2'], [0x4e09, '3'], [0x56db, '4'], [0x4e94, '5'], [0x516d, '6'], [0x4e03, '7'], [0x516b, '8'], [0x4e5d, '9']]);

/** Dingbat and other digits that NFKC leaves as they are: [first code point, value of the first]. */
const DINGBAT_RUNS: ReadonlyArray<readonly [number, number, number]> = [
  [0x2776, 0x277f, 1], // ❶–❿
  [0x2780, 0x2789, 1], // ➀–➉
  [0x278a, 0x2793, 1], // ➊–➓
  [0x24eb, 0x24f4, 11], // ⓫–⓴
  [0x24f5, 0x24fe, 1], // ⓵–⓾
  [0x3021, 0x3029, 1], // Hangzhou numerals 〡–〩 (〇 is their zero, with the CJK numerals)
];
const DINGBAT_ZEROS = new Set([0x24ff, 0x1f10b, 0x1f10c]);

const values = new Map<number, string | null>();

/**
 * The value of a decimal digit code point. Unicode guarantees that \p{Nd} characters come in
 * contiguous runs of ten, from 0 to 9, so the value is the distance to the run's start, mod 10.
 */
export function digitValue(cp: number): number {
  if (cp >= 48 && cp <= 57) return cp - 48;
  let k = 0;
  while (k < 100 && ND.test(String.fromCodePoint(cp - k - 1))) k++;
  return k % 10;
}

function lookUp(cp: number): string | null {
  const ch = String.fromCodePoint(cp);
  if (ND.test(ch)) return String(digitValue(cp));
  if (cp >= 0xe0030 && cp <= 0xe0039) return String(cp - 0xe0030);
  const cjk = CJK.get(cp);
  if (cjk) return cjk;
  for (const [lo, hi, first] of DINGBAT_RUNS) if (cp >= lo && cp <= hi) return String(first + cp - lo);
  if (DINGBAT_ZEROS.has(cp)) return '0';
  if (!NO.test(ch)) return null;
  // ¹ → "1", ⑩ → "10", ⑴ → "(1)", ⒈ → "1.", 🄂 → "1,": the digits, when that is all there is.
  const m = /^\(?(\d{1,2})[).,]?$/.exec(ch.normalize('NFKC'));
  return m ? m[1]! : null;
}

/** The ASCII digits a code point stands for ("7", or "16" for ⑯), or null when it is not a digit. */
export function digitsOfCodePoint(cp: number): string | null {
  if (cp >= 48 && cp <= 57) return String.fromCharCode(cp);
  if (cp < 128) return null;
  const known = values.get(cp);
  if (known !== undefined) return known;
  const v = lookUp(cp);
  if (values.size < 4096) values.set(cp, v);
  return v;
}

export function isInvisible(ch: string): boolean {
  const c = ch.charCodeAt(0);
  // ASCII: the control characters other than tab and line breaks.
  if (c < 128) return (c < 32 && (c < 9 || c > 13)) || c === 127;
  return INVISIBLE.test(ch) && !WHITE.test(ch);
}

export function isSeparator(ch: string): boolean {
  const c = ch.charCodeAt(0);
  // ASCII: white space, and punctuation and symbols other than the square brackets.
  if (c < 128) return (c >= 9 && c <= 13) || (c >= 32 && c < 127 && c !== 91 && c !== 93 && !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)));
  return SEPARATOR.test(ch) || WHITE.test(ch);
}

/**
 * The kind of a visible separator, one letter: ' ' white space, 'n' a line break, '-' dash,
 * '.' dot or bullet, '/' slash, '_' underscore, ',' comma, ':' colon, '|' bar, '*' anything else.
 * Numbers set apart by a different kind than the one inside a card are separate numbers.
 */
export function separatorKind(ch: string): string {
  switch (ch) {
    case ' ':
    case '\t':
      return ' ';
    case '\n':
    case '\r':
      return 'n';
    case '-':
      return '-';
    case '.':
      return '.';
    case '/':
    case '\\':
      return '/';
    case '_':
      return '_';
    case ',':
      return ',';
    case ':':
    case ';':
      return ':';
  }
  if (LINE_BREAK.test(ch)) return 'n';
  if (WHITE.test(ch)) return ' ';
  if (DASH.test(ch)) return '-';
  if (DOT.test(ch)) return '.';
  if (SLASH.test(ch)) return '/';
  if (UNDERSCORE.test(ch)) return '_';
  if (COMMA.test(ch)) return ',';
  if (COLON.test(ch)) return ':';
  if (BAR.test(ch)) return '|';
  return '*';
}
