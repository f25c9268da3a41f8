/**
 * Finds card numbers in text however they were typed, in one pass, and says which spans of the
 * original text to replace. No dependencies (runs in the widget frame and on the server).
 *
 * 1. Digit runs. A run is a maximal sequence of decimal digits (any Unicode digit, \p{Nd}: ASCII,
 *    full-width, Arabic-Indic, Devanagari, mathematical…, each read as its value 0–9) in which
 *    consecutive digits are separated by at most MAX_GAP_CHARS characters that are separators
 *    (any white space incl. no-break and ideographic spaces, tabs and line breaks; dots, dashes incl.
 *    Unicode dashes and the minus sign, slashes, underscores, and their full-width forms) or
 *    invisible (format characters such as zero-width space/joiner, soft hyphen, BOM, bidi marks;
 *    combining marks such as keycap and variation selectors), with at most MAX_GAP_VISIBLE visible
 *    separators. Invisible characters never split a group; visible separators do.
 * 2. Per run: if all its digits (12–19 of them) are a card number (redactionCards.ts: brand range,
 *    brand length, Luhn on the whole number) the whole run is masked. Otherwise a sub-run of whole
 *    groups is masked only if it is a card and is cleanly delimited inside the run (see cleanWindow):
 *    a longer number (a 20-digit reference, a 22-digit parcel number) is never cut into a "card".
 * 3. Right after a masked card, in the same run: an expiry (MM YY, MM/YYYY, MMYY…) and/or a
 *    3–4 digit security code are masked too.
 *
 * The regex that finds runs has no nested ambiguity (separators and digits are disjoint classes,
 * the gap is bounded), so it is linear in the text; the per-run work is bounded by 19 digits per
 * window start.
 */
import { MAX_PAN, MIN_PAN, isCardNumber } from './redactionCards.js';

export const MAX_GAP_CHARS = 12;
export const MAX_GAP_VISIBLE = 3;

/** Separators that may stand between the digits of a card number. */
const SEP_CLASS = String.raw`\s\p{Pd}._/\\\u2212\u00b7\u2024\u2027\u3002\uff0e\uff0f\uff3c\uff3f\u2215\u2044\u30fb\uff65`;
/** Characters that are not seen: they never split a group of digits. */
const INVISIBLE_CLASS = String.raw`\p{Cf}\p{M}\u115f\u1160\u3164\uffa0`;
const RUN = new RegExp(String.raw`\p{Nd}(?:[${SEP_CLASS}${INVISIBLE_CLASS}]{0,${MAX_GAP_CHARS}}\p{Nd})*`, 'gu');
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, 'u');
const SEPARATOR = new RegExp(`[${SEP_CLASS}]`, 'u');
const WHITE = /\s/u;
const DASH = /[\p{Pd}\u2212]/u;
const SLASH = /[/\\\uff0f\uff3c\u2215\u2044]/u;
const UNDERSCORE = /[_\uff3f]/u;
const ND = /\p{Nd}/u;

/** A span of the original text and what replaces it. */
export interface Span {
  start: number;
  end: number;
  kind: 'card' | 'expiry' | 'cvc';
  /** The whole number's digits (cards), for the masked form. */
  digits: string;
}

const digitValues = new Map<number, number>();

/**
 * The value of a decimal digit code point. Unicode guarantees that \p{Nd} characters come in
 * contiguous runs of ten, from 0 to 9, so the value is the distance to the run's start, mod 10.
 */
export function digitValue(cp: number): number {
  if (cp >= 48 && cp <= 57) return cp - 48;
  const known = digitValues.get(cp);
  if (known !== undefined) return known;
  let k = 0;
  while (k < 100 && ND.test(String.fromCodePoint(cp - k - 1))) k++;
  const v = k % 10;
  if (digitValues.size < 4096) digitValues.set(cp, v);
  return v;
}

/** One class letter per visible separator: ' ' white space, '-' dash, '.' dot, '/' slash, '_' underscore. */
function sepClass(ch: string): string {
  // ASCII first, without a regular expression (most gaps are one space, dash or dot).
  switch (ch) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
      return ' ';
    case '-':
      return '-';
    case '.':
      return '.';
    case '/':
    case '\\':
      return '/';
    case '_':
      return '_';
  }
  if (WHITE.test(ch)) return ' ';
  if (DASH.test(ch)) return '-';
  if (SLASH.test(ch)) return '/';
  if (UNDERSCORE.test(ch)) return '_';
  return '.';
}

interface Group {
  /** Offsets in the text: first digit, and just after the last digit. */
  start: number;
  end: number;
  digits: string;
  /** The separators between the previous group and this one, as class letters ('' for the first). */
  gap: string;
}

/** Splits a run (text.slice(start, end)) into groups; a gap with too many visible separators ends a run early (returned as several runs). */
function groupsOf(text: string, start: number, end: number): Group[][] {
  const runs: Group[][] = [];
  let groups: Group[] = [];
  let cur: Group | null = null;
  let gap = '';
  for (let i = start; i < end; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const ascii = cp >= 48 && cp <= 57;
    if (ascii || (cp > 127 && ND.test(String.fromCodePoint(cp)))) {
      if (cur && gap === '') {
        cur.digits += String(digitValue(cp));
        cur.end = i + len;
      } else {
        if (gap.length > MAX_GAP_VISIBLE) {
          runs.push(groups);
          groups = [];
          gap = '';
        }
        cur = { start: i, end: i + len, digits: String(digitValue(cp)), gap: groups.length ? gap : '' };
        groups.push(cur);
        gap = '';
      }
    } else {
      const ch = String.fromCodePoint(cp);
      if (cp < 128 || !INVISIBLE.test(ch)) gap += sepClass(ch);
    }
    i += len;
  }
  if (groups.length) runs.push(groups);
  return runs;
}

const digitCount = (groups: readonly Group[], i: number, j: number) => {
  let n = 0;
  for (let k = i; k <= j; k++) n += groups[k]!.digits.length;
  return n;
};
const joinDigits = (groups: readonly Group[], i: number, j: number) => {
  let s = '';
  for (let k = i; k <= j; k++) s += groups[k]!.digits;
  return s;
};

/** Month 01–12 (or 1–9). */
const isMonth = (d: string) => (d.length === 1 || d.length === 2) && Number(d) >= 1 && Number(d) <= 12;
const isYear = (d: string) => d.length === 2 || (d.length === 4 && (d.startsWith('20') || d.startsWith('19')));

/**
 * Expiry and/or security code in groups[from..]: MM YY | MM YYYY | MMYY | MMYYYY, then 3–4 digits;
 * or just the 3–4 digits. Returns the spans, and the index of the group after them.
 */
function expiryAndCode(groups: readonly Group[], from: number): { spans: Span[]; next: number } | null {
  const g = (k: number) => groups[k]?.digits;
  const spans: Span[] = [];
  let k = from;
  const a = g(k);
  if (a === undefined) return null;
  if (isMonth(a) && g(k + 1) !== undefined && isYear(g(k + 1)!)) {
    spans.push({ start: groups[k]!.start, end: groups[k + 1]!.end, kind: 'expiry', digits: '' });
    k += 2;
  } else if ((a.length === 4 || a.length === 6) && isMonth(a.slice(0, 2)) && isYear(a.slice(2))) {
    // A 4-digit group right after a card is read as MMYY when it can be one, else as a code below.
    spans.push({ start: groups[k]!.start, end: groups[k]!.end, kind: 'expiry', digits: '' });
    k += 1;
  }
  const c = g(k);
  if (c !== undefined && (c.length === 3 || c.length === 4)) {
    spans.push({ start: groups[k]!.start, end: groups[k]!.end, kind: 'cvc', digits: '' });
    k += 1;
  }
  return spans.length ? { spans, next: k } : null;
}

/** The gap classes inside groups[i..j]. */
function innerGaps(groups: readonly Group[], i: number, j: number): Set<string> {
  const set = new Set<string>();
  for (let k = i + 1; k <= j; k++) set.add(groups[k]!.gap);
  return set;
}

/** groups[i..j] is a card number; the widest such j from i (whole groups only), or -1. */
function cardFrom(groups: readonly Group[], i: number): number {
  let best = -1;
  let digits = '';
  for (let j = i; j < groups.length; j++) {
    digits += groups[j]!.digits;
    if (digits.length > MAX_PAN) break;
    if (digits.length >= MIN_PAN && isCardNumber(digits)) best = j;
  }
  return best;
}

/**
 * Whether groups[i..j] (a card number, not the whole run) stands on its own in the run: a single
 * unbroken group; or its neighbours are set apart by a different kind of separator than those inside
 * it; or, with the same separator, what precedes it is at most 3 digits ("order 12 4242 4242…")
 * and what follows is an expiry/security code or another such card running to the end (the card
 * then having 15+ digits). This is
 * what keeps a spaced 20- or 22-digit reference from being cut into a "card".
 */
function cleanWindow(groups: readonly Group[], i: number, j: number, afterCard: boolean): boolean {
  if (i === j) return true;
  const inner = innerGaps(groups, i, j);
  const leftOk = i === 0 || afterCard || !inner.has(groups[i]!.gap) || digitCount(groups, 0, i - 1) <= 3;
  if (!leftOk) return false;
  if (j === groups.length - 1 || !inner.has(groups[j + 1]!.gap)) return true;
  const tail = expiryAndCode(groups, j + 1);
  const tailToEnd = tail !== null && tail.next === groups.length;
  // Same separator on the right. A 12–14 digit card only when an expiry follows to the end of
  // the run: a short prefix of a longer number followed by "a code" is far more often just that
  // longer number.
  if (digitCount(groups, i, j) < 15) return tailToEnd && tail.spans[0]!.kind === 'expiry';
  if (tailToEnd) return true;
  const next = cardFrom(groups, j + 1);
  if (next < 0) return false;
  const after = next === groups.length - 1 ? null : expiryAndCode(groups, next + 1);
  return next === groups.length - 1 || (after !== null && after.next === groups.length);
}

function spansOfRun(groups: Group[], out: Span[]): void {
  const total = digitCount(groups, 0, groups.length - 1);
  if (total < MIN_PAN) return;
  if (total <= MAX_PAN) {
    const all = joinDigits(groups, 0, groups.length - 1);
    if (isCardNumber(all)) {
      out.push({ start: groups[0]!.start, end: groups[groups.length - 1]!.end, kind: 'card', digits: all });
      return;
    }
  }
  // The index just after the last card (and its expiry/code): a card may follow it directly.
  let afterCard = -1;
  for (let i = 0; i < groups.length; ) {
    const j = cardFrom(groups, i);
    if (j < 0 || !cleanWindow(groups, i, j, i === afterCard)) {
      i++;
      continue;
    }
    out.push({ start: groups[i]!.start, end: groups[j]!.end, kind: 'card', digits: joinDigits(groups, i, j) });
    // Another card right after this one is a card, not an expiry or a code.
    // An expiry/code ends the run or comes before another card; otherwise the numbers are something else.
    const tail = cardFrom(groups, j + 1) < 0 ? expiryAndCode(groups, j + 1) : null;
    if (tail && (tail.next === groups.length || cardFrom(groups, tail.next) >= 0)) {
      out.push(...tail.spans);
      i = tail.next;
    } else i = j + 1;
    afterCard = i;
  }
}

/** Every card number (and the expiry/code typed right after it) in `text`, in order, not overlapping. */
export function cardSpans(text: string): Span[] {
  const out: Span[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    // Quick reject: fewer than 12 digit code points cannot hold a card.
    if (m[0].length < MIN_PAN) continue;
    for (const groups of groupsOf(text, m.index, m.index + m[0].length)) spansOfRun(groups, out);
  }
  return out;
}

/** Whether `ch` (one character) may stand between the digits of a card. */
export function isSeparatorOrInvisible(ch: string): boolean {
  return SEPARATOR.test(ch) || INVISIBLE.test(ch);
}

/** The start of the digit run that `text` ends with (trailing separators allowed), or -1. */
export function trailingRunStart(text: string): number {
  let start = -1;
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    let k = m.index + m[0].length;
    while (k < text.length && isSeparatorOrInvisible(text[k]!)) k++;
    if (k === text.length) start = m.index;
  }
  return start;
}

/** Whether `text` begins with a digit (leading separators and invisible characters allowed). */
export function startsWithDigit(text: string): boolean {
  for (let k = 0; k < text.length && k < 64; ) {
    const cp = text.codePointAt(k)!;
    const ch = String.fromCodePoint(cp);
    if (ND.test(ch)) return true;
    if (!isSeparatorOrInvisible(ch)) return false;
    k += ch.length;
  }
  return false;
}

/** The ASCII digits of `text` (every digit form), everything else dropped. */
export function digitsOf(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 48 && cp <= 57) || (cp > 127 && ND.test(ch))) out += String(digitValue(cp));
  }
  return out;
}
