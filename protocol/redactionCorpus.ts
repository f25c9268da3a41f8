/**
 * The generated corpus that measures redaction (redactionCorpus.test.ts, the sink tests, the bench):
 * every brand's public test numbers × every separator × every digit form × positions in text, and
 * a near-miss set that must stay untouched. Deterministic (seeded), no dependencies. Test data only:
 * nothing in the product imports it.
 */
import { isCardNumber, luhnValid } from './redactionCards.js';
import { redactContinuing } from './redaction.js';
import { digitsOf, isSeparatorOrInvisible } from './redactionScan.js';
import { digitsOfCodePoint } from './redactionChars.js';

/** A Luhn check digit appended to `body`. */
export function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** Public test numbers published by the schemes and payment processors, plus numbers built in each brand's range. */
export const TEST_CARDS: ReadonlyArray<{ brand: string; pan: string }> = [
  { brand: 'visa', pan: '4242424242424242' },
  { brand: 'visa', pan: '4111111111111111' },
  { brand: 'visa', pan: '4012888888881881' },
  { brand: 'visa', pan: '4000056655665556' },
  { brand: 'visa', pan: '4222222222222' },
  { brand: 'visa', pan: withCheckDigit('400000000000000000') },
  { brand: 'mastercard', pan: '5555555555554444' },
  { brand: 'mastercard', pan: '5105105105105100' },
  { brand: 'mastercard', pan: '2223003122003222' },
  { brand: 'mastercard', pan: '5200828282828210' },
  { brand: 'mastercard', pan: withCheckDigit('272000000000000') },
  { brand: 'amex', pan: '378282246310005' },
  { brand: 'amex', pan: '371449635398431' },
  { brand: 'amex', pan: '340000000000009' },
  { brand: 'discover', pan: '6011111111111117' },
  { brand: 'discover', pan: '6011000990139424' },
  { brand: 'discover', pan: withCheckDigit('644564456445644') },
  { brand: 'discover', pan: withCheckDigit('650000000000000000') },
  { brand: 'diners', pan: '30569309025904' },
  { brand: 'diners', pan: '38520000023237' },
  { brand: 'diners', pan: '3056930009020004' },
  { brand: 'diners', pan: '36227206271667' },
  { brand: 'jcb', pan: '3566002020360505' },
  { brand: 'jcb', pan: '3530111333300000' },
  { brand: 'jcb', pan: withCheckDigit('358900000000000000') },
  { brand: 'unionpay', pan: '6200000000000005' },
  { brand: 'unionpay', pan: '6200000000000047' },
  { brand: 'unionpay', pan: withCheckDigit('621234567890123456') },
  { brand: 'unionpay', pan: withCheckDigit('810000000000000') },
  { brand: 'maestro', pan: '6759649826438453' },
  { brand: 'maestro', pan: '6799990100000000019' },
  { brand: 'maestro', pan: withCheckDigit('50180000000') },
  { brand: 'maestro', pan: withCheckDigit('630400000000000') },
  { brand: 'mir', pan: withCheckDigit('220000000000000') },
  { brand: 'mir', pan: withCheckDigit('220412345678901') },
  { brand: 'rupay', pan: withCheckDigit('607000000000000') },
  { brand: 'rupay', pan: withCheckDigit('508500000000000') },
  { brand: 'elo', pan: '6362970000457013' },
  { brand: 'elo', pan: '5066991111111118' },
  { brand: 'hipercard', pan: '6062826786276634' },
  { brand: 'hipercard', pan: withCheckDigit('384100111122223333') },
  { brand: 'troy', pan: withCheckDigit('979200000000000') },
  { brand: 'verve', pan: withCheckDigit('506099000000000000') },
  { brand: 'uatp', pan: '122000000000003' },
  { brand: 'dankort', pan: '5019717010103742' },
];

/** How a number is typed: the separator between groups (cycled when several). */
export const SEPARATORS: ReadonlyArray<{ name: string; seps: string[] }> = [
  { name: 'none', seps: [''] },
  { name: 'space', seps: [' '] },
  { name: 'dash', seps: ['-'] },
  { name: 'dot', seps: ['.'] },
  { name: 'slash', seps: ['/'] },
  { name: 'underscore', seps: ['_'] },
  { name: 'double space', seps: ['  '] },
  { name: 'tab', seps: ['\t'] },
  { name: 'newline', seps: ['\n'] },
  { name: 'crlf', seps: ['\r\n'] },
  { name: 'nbsp', seps: ['\u00a0'] },
  { name: 'narrow nbsp', seps: ['\u202f'] },
  { name: 'ideographic space', seps: ['\u3000'] },
  { name: 'en dash', seps: ['\u2013'] },
  { name: 'em dash', seps: ['\u2014'] },
  { name: 'minus sign', seps: ['\u2212'] },
  { name: 'spaced dash', seps: [' - '] },
  { name: 'full-width hyphen', seps: ['\uff0d'] },
  { name: 'mixed', seps: [' ', '-', '.', '/'] },
  { name: 'zero-width space', seps: ['\u200b'] },
  { name: 'zero-width joiner', seps: ['\u200d'] },
  { name: 'soft hyphen', seps: ['\u00ad'] },
  { name: 'BOM', seps: ['\ufeff'] },
  { name: 'bidi marks', seps: ['\u200e', '\u200f'] },
  { name: 'space + zero-width', seps: [' \u200b'] },
  // Issue 15 red team: punctuation, symbols, rarer spaces and invisible characters.
  { name: 'bullet', seps: ['\u2022'] },
  { name: 'middle dot', seps: ['\u00b7'] },
  { name: 'pipe', seps: ['|'] },
  { name: 'plus', seps: ['+'] },
  { name: 'comma + space', seps: [', '] },
  { name: 'colon', seps: [':'] },
  { name: 'tilde', seps: ['~'] },
  { name: 'apostrophe', seps: ["'"] },
  { name: 'figure space', seps: ['\u2007'] },
  { name: 'Unicode hyphens', seps: ['\u2010', '\u2011', '\u2012', '\u2015'] },
  { name: 'five spaces', seps: ['     '] },
  { name: 'word joiner + isolates', seps: ['\u2060', '\u2066', '\u2069', '\u202e'] },
  { name: 'variation selector + combining', seps: ['\ufe0f', '\u0301', '\u20e3'] },
  { name: 'control characters', seps: ['\u0000', '\u001f', '\u0085', '\u007f'] },
  { name: 'sixteen zero-width spaces', seps: ['\u200b'.repeat(16)] },
];

/** A digit form: the zero of a script (its ten digits follow it), null (ASCII and full-width mixed), or each digit's character(s). */
export type DigitForm = number | null | ((d: number) => string);

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const CJK_NUMERALS = '〇一二三四五六七八九';

/** Digit forms: the zero of each script (its ten digits follow it), or compatibility forms. */
export const DIGIT_FORMS: ReadonlyArray<{ name: string; zero: DigitForm }> = [
  { name: 'ascii', zero: 0x30 },
  { name: 'full-width', zero: 0xff10 },
  { name: 'arabic-indic', zero: 0x0660 },
  { name: 'extended arabic-indic', zero: 0x06f0 },
  { name: 'devanagari', zero: 0x0966 },
  { name: 'bengali', zero: 0x09e6 },
  { name: 'thai', zero: 0x0e50 },
  { name: 'mathematical bold', zero: 0x1d7ce },
  { name: 'mixed ascii/full-width', zero: null },
  { name: 'mathematical monospace', zero: 0x1d7f6 },
  { name: 'superscript', zero: (d) => SUPERSCRIPT[d]! },
  { name: 'subscript', zero: (d) => String.fromCodePoint(0x2080 + d) },
  { name: 'circled', zero: (d) => (d === 0 ? '\u24ea' : String.fromCodePoint(0x2460 + d - 1)) },
  { name: 'dingbat negative circled', zero: (d) => (d === 0 ? '\u24ff' : String.fromCodePoint(0x2776 + d - 1)) },
  { name: 'keycap', zero: (d) => `${d}\ufe0f\u20e3` },
  { name: 'invisible tag digits', zero: (d) => String.fromCodePoint(0xe0030 + d) },
  { name: 'CJK numerals', zero: (d) => CJK_NUMERALS[d]! },
];

/** Where the number sits in text. */
export const POSITIONS: ReadonlyArray<{ name: string; wrap: (x: string) => string }> = [
  { name: 'alone', wrap: (x) => x },
  { name: 'sentence', wrap: (x) => `my card is ${x} thanks` },
  { name: 'end of sentence', wrap: (x) => `Here it is: ${x}.` },
  { name: 'parentheses', wrap: (x) => `(${x})` },
  { name: 'label', wrap: (x) => `card:${x}` },
  { name: 'url', wrap: (x) => `https://shop.example/pay?pan=${x}&ok=1` },
  { name: 'json', wrap: (x) => `{"pan":"${x}","name":"Ann"}` },
  { name: 'lines', wrap: (x) => `Number\n${x}\nthanks` },
  { name: 'with expiry and code', wrap: (x) => `${x} 12/27 123` },
  { name: 'with keywords', wrap: (x) => `Visa ${x}, exp 12/27, cvv 123` },
  // Issue 15 red team: other numbers next to it, several in a row, encoded.
  { name: 'after a number', wrap: (x) => `order 12345 ${x}` },
  { name: 'line after a phone', wrap: (x) => `0151 12345678\n${x}` },
  { name: 'before a postcode', wrap: (x) => `${x} 90210` },
  { name: 'expiry, code, more', wrap: (x) => `${x} 12 27 123 4567` },
  { name: 'three times', wrap: (x) => `${x} ${x} ${x}` },
  { name: 'percent-encoded', wrap: (x) => `pan=${encodeURIComponent(x)}` },
  { name: 'percent-encoded digits', wrap: (x) => x.replace(/[0-9]/g, (d) => '%3' + d) },
  { name: 'HTML character references', wrap: (x) => `<p>${[...x].map((c) => `&#${c.codePointAt(0)};`).join('')}</p>` },
  { name: 'JSON escapes', wrap: (x) => JSON.stringify({ pan: x }).replace(/[0-9]/g, (d) => '\\u003' + d) },
];

function grouping(n: number): number[] {
  if (n === 15) return [4, 6, 5];
  if (n === 14) return [4, 6, 4];
  const out: number[] = [];
  for (let left = n; left > 0; left -= 4) out.push(Math.min(4, left));
  return out;
}

export function inDigits(ascii: string, zero: DigitForm): string {
  let out = '';
  for (let i = 0; i < ascii.length; i++) {
    const c = ascii.charCodeAt(i);
    if (c < 48 || c > 57) out += ascii[i];
    else if (typeof zero === 'function') out += zero(c - 48);
    else out += String.fromCodePoint((zero ?? (i % 2 ? 0xff10 : 0x30)) + c - 48);
  }
  return out;
}

/** `digits` grouped as cards are printed, joined by the separators (cycled), in a digit form. */
export function typed(digits: string, seps: readonly string[], zero: DigitForm): string {
  let out = '';
  let at = 0;
  grouping(digits.length).forEach((len, k) => {
    if (k > 0) out += seps[(k - 1) % seps.length];
    out += digits.slice(at, at + len);
    at += len;
  });
  // Separators first, then digit forms (separators contain no digits).
  return inDigits(out, zero);
}

export interface CardCase {
  brand: string;
  pan: string;
  separator: string;
  form: string;
  position: string;
  text: string;
}

export function* cardCases(): Generator<CardCase> {
  for (const { brand, pan } of TEST_CARDS)
    for (const s of SEPARATORS)
      for (const f of DIGIT_FORMS)
        for (const p of POSITIONS) yield { brand, pan, separator: s.name, form: f.name, position: p.name, text: p.wrap(typed(pan, s.seps, f.zero)) };
}

/** Seeded PRNG (mulberry32): the same corpus on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomDigits = (rand: () => number, n: number) => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');

function iban(country: string, bban: string): string {
  const rearranged = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of rearranged) rem = (rem * 10 + Number(ch)) % 97;
  return country + String(98 - rem).padStart(2, '0') + bban;
}

export interface NearMiss {
  kind: string;
  text: string;
  /** The numbers in it: if one of them is Luhn-valid in a brand's range and length, masking it is counted apart. */
  numbers: string[];
}

const spaced4 = (s: string) => s.match(/.{1,4}/g)!.join(' ');

/** Text that must stay untouched: Luhn-invalid runs, phones, IBANs, order and parcel numbers, dates, amounts, IMEIs. */
export function nearMisses(count = 4000, seed = 15): NearMiss[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: NearMiss[] = [];
  const kinds: Array<() => NearMiss> = [
    () => {
      // A test card with a wrong last digit, in any separator form.
      const { pan } = pick(TEST_CARDS);
      const bad = pan.slice(0, -1) + String((Number(pan.slice(-1)) + 1 + Math.floor(rand() * 9)) % 10);
      return { kind: 'luhn-invalid card', text: `card ${typed(bad, pick(SEPARATORS).seps, 0x30)} please`, numbers: [bad] };
    },
    () => {
      // 16 digits whose first 12 pass Luhn but not the whole (the old redactor masked a prefix).
      let n = '';
      do n = withCheckDigit('4' + randomDigits(rand, 10)) + randomDigits(rand, 4);
      while (luhnValid(n));
      return { kind: 'luhn-valid prefix', text: `ref ${spaced4(n)}`, numbers: [n] };
    },
    () => {
      const n = pick(['020 7946 0958', '(415) 555-2671', '06 12 34 56 78', '0151 12345678', '030 1234 5678', '0800 123 4567', '01632 960 123', '(02) 9876 5432']);
      return { kind: 'phone national', text: `call me on ${n} tomorrow`, numbers: [n.replace(/\D/g, '')] };
    },
    () => {
      const cc = pick(['+44', '+1', '+49', '+33', '+91', '+86', '+55', '+34', '+61', '0044', '0049']);
      const n = `${cc} ${randomDigits(rand, 3)} ${randomDigits(rand, 3)} ${randomDigits(rand, 4)}`;
      return { kind: 'phone international', text: `whatsapp ${n}`, numbers: [n.replace(/\D/g, '')] };
    },
    () => {
      const [cc, len] = pick([['DE', 18], ['FR', 23], ['NL', 14], ['ES', 20], ['IT', 23], ['BE', 12]] as const);
      const bban = cc === 'NL' ? 'ABNA' + randomDigits(rand, 10) : cc === 'FR' || cc === 'IT' ? randomDigits(rand, len - 2) + 'XA' : randomDigits(rand, len);
      const i = iban(cc, bban);
      const text = rand() < 0.5 ? i : spaced4(i);
      return { kind: 'iban', text: `IBAN: ${text}`, numbers: text.split(/[A-Z ]+/).filter(Boolean) };
    },
    () => {
      const n = randomDigits(rand, 6 + Math.floor(rand() * 15));
      return { kind: 'order number', text: `order #${n} has not arrived`, numbers: [n] };
    },
    () => {
      // 22-digit parcel numbers (USPS 94/92/93…, FedEx 96…), spaced or not.
      const n = pick(['9400', '9205', '9261', '9361', '9270', '9612', '9303']) + randomDigits(rand, 18);
      return { kind: 'parcel number', text: `tracking ${rand() < 0.5 ? n : spaced4(n)}`, numbers: [n] };
    },
    () => {
      const n = randomDigits(rand, 20 + Math.floor(rand() * 6));
      return { kind: 'long reference', text: `reference ${rand() < 0.5 ? n : spaced4(n)}`, numbers: [n] };
    },
    () => {
      const y = 1950 + Math.floor(rand() * 80);
      const m = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
      const d = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
      const t = pick([`${y}-${m}-${d}`, `${d}.${m}.${y}`, `${m}/${d}/${y} 10:30`, `${y}-${m}-${d}T10:30:00Z`, `${d}/${m}/${y} - ${d}/${m}/${y}`]);
      return { kind: 'date', text: `booked for ${t}`, numbers: [t.replace(/\D/g, '')] };
    },
    () => {
      const whole = Math.floor(rand() * 10_000_000);
      const t = pick([`$${whole.toLocaleString('en-US')}.99`, `${whole.toLocaleString('de-DE')},50 €`, `${whole.toLocaleString('fr-FR')},00 EUR`, `£${whole}.00`]);
      return { kind: 'amount', text: `it cost ${t} in total`, numbers: [t.replace(/\D/g, '')] };
    },
    () => {
      // IMEI: 15 digits, Luhn-valid by definition, TACs of real phone makers.
      const imei = withCheckDigit(pick(['35', '86', '01', '99', '49', '53']) + randomDigits(rand, 12));
      const text = rand() < 0.5 ? imei : `${imei.slice(0, 2)}-${imei.slice(2, 8)}-${imei.slice(8, 14)}-${imei.slice(14)}`;
      return { kind: 'imei', text: `IMEI ${text}`, numbers: [imei] };
    },
    () => {
      // Issue 15 red team: numbers joined by punctuation and symbols, now separators too.
      const sep = pick([', ', ',', ':', ' | ', ' + ', '; ', ' / ', ' ~ ', ' * ', ' = ', '•', "'"]);
      const parts = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => randomDigits(rand, 1 + Math.floor(rand() * 6)));
      return { kind: 'numbers and punctuation', text: `values ${parts.join(sep)} ok`, numbers: [parts.join('')] };
    },
    () => {
      const p2 = (n: number) => String(n).padStart(2, '0');
      const y = 1990 + Math.floor(rand() * 40);
      const [mo, d, h, mi, s] = [1 + Math.floor(rand() * 12), 1 + Math.floor(rand() * 28), Math.floor(rand() * 24), Math.floor(rand() * 60), Math.floor(rand() * 60)].map(p2);
      const t = pick([`${y}-${mo}-${d} ${h}:${mi}:${s}`, `${d}.${mo}.${y}, ${h}:${mi}`, `${mo}/${d}/${y} ${h}:${mi}:${s}`, `${h}:${mi} – ${d}/${mo}/${y}`]);
      return { kind: 'date and time', text: `seen ${t}`, numbers: [t.replace(/\D/g, '')] };
    },
    () => {
      const cells = Array.from({ length: 3 + Math.floor(rand() * 5) }, () => randomDigits(rand, 1 + Math.floor(rand() * 6)));
      return { kind: 'csv row', text: `${cells.join(',')}\n`, numbers: [cells.join('')] };
    },
    () => {
      // A number, then a spaced 20-digit reference: neither is cut into a card.
      const n = randomDigits(rand, 5);
      const ref = randomDigits(rand, 20);
      return { kind: 'number then reference', text: `order ${n} ${spaced4(ref)}`, numbers: [n, ref] };
    },
  ];
  for (let k = 0; k < count; k++) out.push(kinds[k % kinds.length]!());
  return out;
}

/** Whether masking a near miss is one of the separately counted cases: a Luhn-valid number in a brand's range and length. */
export function looksLikeCard(miss: NearMiss): boolean {
  return miss.numbers.some((n) => isCardNumber(n));
}

/**
 * The ASCII digit stream of text (every digit form). `strict`: everything else is dropped. Otherwise
 * only separators and invisible characters are dropped and anything else breaks the stream (for
 * sinks full of unrelated numbers: ids, timestamps).
 */
export function digitStream(text: string, strict = true): string {
  if (strict) return digitsOf(text);
  let out = '';
  for (const ch of text) {
    const digits = digitsOfCodePoint(ch.codePointAt(0)!);
    if (digits !== null) out += digits;
    else if (!isSeparatorOrInvisible(ch)) out += 'x'; // a letter: a stream read again stays broken there
  }
  return out;
}

/**
 * Whether `text` still holds `minDigits` or more of the card's digits in order: any `minDigits`
 * consecutive digits of the PAN in the text's digit stream (see digitStream).
 */
export function holdsCardDigits(text: string, pan: string, minDigits = 13, strict = true): boolean {
  const stream = digitStream(text, strict);
  for (let i = 0; i + minDigits <= pan.length; i++) if (stream.includes(pan.slice(i, i + minDigits))) return true;
  return false;
}

/**
 * Parts sent one after another as the frame sends them: each redacted with the ones before it, an
 * earlier part replaced when a later one completes a card in it. What the conversation then holds.
 */
export function sendInTurn(parts: readonly string[]): string[] {
  const sent: string[] = [];
  for (const p of parts) {
    const r = redactContinuing(sent, p);
    r.earlier.forEach((e, k) => {
      if (e !== null) sent[k] = e;
    });
    sent.push(r.text);
  }
  return sent;
}
