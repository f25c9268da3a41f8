/**
 * Finds card numbers in text however they were typed, in one pass, and says which spans of the
 * original text to replace. No dependencies (runs in the widget frame and on the server).
 *
 * 1. Digit runs. A run is a maximal sequence of digits (redactionChars.ts: any Unicode decimal
 *    digit, and the compatibility, dingbat, tag and CJK forms of digits, each read as its value) in
 *    which consecutive digits are separated by separators (white space, any punctuation or symbol
 *    but the square brackets of a mask) and invisible characters (format characters, combining
 *    marks, control characters), with at most MAX_GAP_VISIBLE visible separators (a run of white
 *    space counts once) and MAX_GAP_CHARS visible characters; invisible characters do not count
 *    and never split a group; visible separators do.
 * 2. Per run: if all its digits (12–19 of them) are a card number (redactionCards.ts: brand range,
 *    brand length, Luhn on the whole number) the whole run is masked. Otherwise a sub-run of whole
 *    groups is masked only if it is a card and is cleanly delimited inside the run (see cleanWindow):
 *    a longer number (a 20-digit reference, a 22-digit parcel number) is never cut into a "card".
 * 3. Right after a masked card, in the same run: an expiry (MM YY, MM/YYYY, MMYY…) and/or a
 *    3–4 digit security code are masked too.
 *
 * The regex that finds runs has no nested ambiguity (digits and gap characters are disjoint
 * classes), so it is linear in the text; the per-run work is bounded by 19 digits per window start
 * (the walk over several cards in a row is memoised per run).
 */
import { MAX_PAN, MIN_PAN, isCardNumber } from './redactionCards.js';
import { DIGITISH_CLASS, GAP_CHAR, digitsOfCodePoint, isInvisible, isSeparator, separatorKind } from './redactionChars.js';

export { digitValue } from './redactionChars.js';

/** Visible characters between two digits of one number, at most (invisible ones do not count). */
export const MAX_GAP_CHARS = 12;
/** Visible separators between two digits of one number, at most (a run of white space counts once). */
export const MAX_GAP_VISIBLE = 3;

/**
 * A candidate run: digits with any separators and invisible characters between them. Digits and
 * gap characters are disjoint classes, so matching is linear; the gap limits are applied per run
 * (groupsOf), which splits a run where a gap is too wide.
 */
const RUN = new RegExp(`[${DIGITISH_CLASS}](?:${GAP_CHAR}*[${DIGITISH_CLASS}])*`, 'gu');
/** A character that may stand for more than one digit (⑯): the quick length check does not apply. */
const MULTI = /[\p{No}\u2776-\u2793]/u;

function isAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 127) return false;
  return true;
}

/** A span of the original text and what replaces it. */
export interface Span {
  start: number;
  end: number;
  kind: 'card' | 'expiry' | 'cvc';
  /** The whole number's digits (cards), for the masked form. */
  digits: string;
}

interface Group {
  /** Offsets in the text: first digit, and just after the last digit. */
  start: number;
  end: number;
  digits: string;
  /** The separators between the previous group and this one, as class letters ('' for the first). */
  gap: string;
}

/**
 * Splits a run (text.slice(start, end)) into groups of digits. A gap with more than MAX_GAP_VISIBLE
 * visible separators or MAX_GAP_CHARS visible characters, or a character that looks like a digit
 * but has no value (½), ends a run early (returned as several runs).
 */
function groupsOf(text: string, start: number, end: number): Group[][] {
  const runs: Group[][] = [];
  let groups: Group[] = [];
  let cur: Group | null = null;
  let gap = '';
  let gapChars = 0;
  for (let i = start; i < end; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const digits = digitsOfCodePoint(cp);
    if (digits !== null) {
      if (cur && gap === '') {
        cur.digits += digits;
        cur.end = i + len;
      } else {
        if ((gap.length > MAX_GAP_VISIBLE || gapChars > MAX_GAP_CHARS) && groups.length) {
          runs.push(groups);
          groups = [];
        }
        cur = { start: i, end: i + len, digits, gap: groups.length ? gap : '' };
        groups.push(cur);
      }
      gap = '';
      gapChars = 0;
    } else {
      const ch = String.fromCodePoint(cp);
      if (isInvisible(ch)) {
        // Not seen: neither splits a group nor counts towards a gap.
      } else if (isSeparator(ch)) {
        const kind = separatorKind(ch);
        const last = gap[gap.length - 1];
        gapChars++;
        // A run of white space is one separator (a line break in it makes it a line break).
        if ((kind === ' ' || kind === 'n') && (last === ' ' || last === 'n')) gap = gap.slice(0, -1) + (kind === 'n' || last === 'n' ? 'n' : ' ');
        else gap += kind;
      } else {
        // A digit-like character without a digit value (½), or a square bracket: the run ends.
        if (groups.length) runs.push(groups);
        groups = [];
        cur = null;
        gap = '';
        gapChars = 0;
      }
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

/** An expiry typed as two groups (MM YY, MM YYYY), perhaps with a code: what follows a card, not a longer number's equal groups. */
const isTwoGroupExpiry = (groups: readonly Group[], from: number, tail: { spans: Span[]; next: number } | null) => {
  const e = tail?.spans[0];
  return e !== undefined && e.kind === 'expiry' && e.end !== groups[from]!.end;
};

/**
 * groups[i..j] are grouped as cards are printed and typed: groups of one length and a last one no
 * longer (4-4-4-4, 4-4-4-3, 4-4-4-1, 2-2-…), or 4-6-5 / 4-6-4 (Amex, Diners). Numbers that merely
 * stand in a list (12, 381, 103664) are not.
 */
function printedGrouping(groups: readonly Group[], i: number, j: number): boolean {
  const len = (k: number) => groups[k]!.digits.length;
  if (j - i === 2 && len(i) === 4 && len(i + 1) === 6 && (len(j) === 5 || len(j) === 4)) return true;
  for (let k = i + 1; k < j; k++) if (len(k) !== len(i)) return false;
  return len(j) <= len(i);
}

/**
 * groups[from..] is nothing but cards, each perhaps with its expiry/code: several cards typed in a
 * row. `memo` (per run) keeps the walk linear: every start it passes through has the same answer.
 */
function cardsToEnd(groups: readonly Group[], from: number, memos: { memo?: Int8Array }): boolean {
  const memo = (memos.memo ??= new Int8Array(groups.length));
  const seen: number[] = [];
  let k = from;
  let result: boolean | null = null;
  while (result === null) {
    if (k >= groups.length) result = true;
    else if (memo[k] !== 0) result = memo[k] === 1;
    else {
      seen.push(k);
      const j = cardFrom(groups, k);
      if (j < 0) result = false;
      else {
        k = j + 1;
        const tail = cardFrom(groups, k) < 0 ? expiryAndCode(groups, k) : null;
        if (tail) k = tail.next;
      }
    }
  }
  for (const s of seen) memo[s] = result ? 1 : 2;
  return result;
}

/**
 * Whether groups[i..j] (a card number, not the whole run) stands on its own in the run: a single
 * unbroken group; or its neighbours are set apart by a different kind of separator than those inside
 * it; or, with the same separator, what precedes it is at most 3 digits ("order 12 4242 4242…") or,
 * for a card grouped as printed, a group of another length ("order 12345 4242 4242…"); and what
 * follows is an expiry/security code to the end of the run (not after such a group of another
 * length: "12345 4242 … 4242 4242" may be a reference in fours after a number), an expiry in two
 * groups (MM YY), other cards running to the end, or, for a card grouped as printed, a group longer
 * than four digits ("4242 … 4242 90210"). A reference typed in groups has groups of one length (and
 * a shorter last one): this is what keeps a spaced 20- or 22-digit reference from being cut into a
 * "card".
 */
function cleanWindow(groups: readonly Group[], i: number, j: number, afterCard: boolean, memo: { memo?: Int8Array }): boolean {
  if (i === j) return true;
  const inner = innerGaps(groups, i, j);
  const long = digitCount(groups, i, j) >= 15;
  const leftClean = i === 0 || afterCard || !inner.has(groups[i]!.gap) || (i <= 3 && digitCount(groups, 0, i - 1) <= 3);
  // A group of another length on the left: a separate number, unless what follows the card could
  // be the rest of a reference in equal groups (then only as below, not with a single "code" group).
  const printed = printedGrouping(groups, i, j);
  const leftOtherLength = !leftClean && printed && groups[i - 1]!.digits.length !== groups[i]!.digits.length;
  if (!leftClean && !leftOtherLength) return false;
  if (j === groups.length - 1 || !inner.has(groups[j + 1]!.gap)) return true;
  const tail = expiryAndCode(groups, j + 1);
  const tailToEnd = tail !== null && tail.next === groups.length;
  // Same separator on the right: an expiry/code to the end of the run (a 12–14 digit card only
  // with an expiry: a short prefix of a longer number followed by "a code" is far more often just
  // that longer number).
  if (tailToEnd && leftClean && (long || tail.spans[0]!.kind === 'expiry')) return true;
  if (isTwoGroupExpiry(groups, j + 1, tail)) return true;
  if (printed && groups[j + 1]!.digits.length > 4) return true;
  return cardsToEnd(groups, j + 1, memo);
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
  const memo: { memo?: Int8Array } = {};
  for (let i = 0; i < groups.length; ) {
    const j = cardFrom(groups, i);
    if (j < 0 || !cleanWindow(groups, i, j, i === afterCard, memo)) {
      i++;
      continue;
    }
    out.push({ start: groups[i]!.start, end: groups[j]!.end, kind: 'card', digits: joinDigits(groups, i, j) });
    // Another card right after this one is a card, not an expiry or a code.
    // An expiry/code ends the run or comes before another card; otherwise the numbers are something else.
    const tail = cardFrom(groups, j + 1) < 0 ? expiryAndCode(groups, j + 1) : null;
    if (tail && (tail.next === groups.length || cardFrom(groups, tail.next) >= 0 || isTwoGroupExpiry(groups, j + 1, tail))) {
      out.push(...tail.spans);
      i = tail.next;
    } else i = j + 1;
    afterCard = i;
  }
}

/**
 * Machine identifiers are not card numbers: a UUID, or a word of 24 or more hexadecimal characters
 * with at least one letter among them (Parley's ids, client message ids, SHA digests, keys). Their
 * digits hold a Luhn-valid, card-shaped run about once in 1,300–10,000 (measured on ids, UUIDs and
 * SHA-256 digests), and masking one corrupts an id in an audit entry, a request or an export. Nobody
 * types a card glued to that many hexadecimal letters; docs/SECURITY.md lists it as not caught.
 */
const MACHINE_ID = /(?<![0-9a-z])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})(?![0-9a-z])/gi;
const HEX_LETTER = /[a-f]/i;

/** `text` with every machine identifier's characters replaced by `x` (same offsets), or null when it has none. */
function withoutMachineIds(text: string): string | null {
  let out: string | null = null;
  MACHINE_ID.lastIndex = 0;
  for (let m = MACHINE_ID.exec(text); m; m = MACHINE_ID.exec(text)) {
    if (!HEX_LETTER.test(m[0])) continue; // all digits: a number, read as one
    out = (out ?? text).slice(0, m.index) + 'x'.repeat(m[0].length) + text.slice(m.index + m[0].length);
  }
  return out;
}

/** Every card number (and the expiry/code typed right after it) in `text`, in order, not overlapping. */
export function cardSpans(text: string): Span[] {
  const spans = scanRuns(text);
  // Identifiers are looked for only when a card was found (rare), so ordinary text pays nothing.
  if (spans.length === 0) return spans;
  const plain = withoutMachineIds(text);
  return plain === null ? spans : scanRuns(plain);
}

function scanRuns(text: string): Span[] {
  const out: Span[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    // Quick reject: fewer than 12 digit code points cannot hold a card (unless one stands for two).
    if (m[0].length < MIN_PAN && (isAscii(m[0]) || !MULTI.test(m[0]))) continue;
    for (const groups of groupsOf(text, m.index, m.index + m[0].length)) spansOfRun(groups, out);
  }
  return out;
}

/** Whether `ch` (one character) may stand between the digits of a card. */
export function isSeparatorOrInvisible(ch: string): boolean {
  return ch !== '[' && ch !== ']' && (isSeparator(ch) || isInvisible(ch));
}

/** The start of the digit run that `text` ends with (trailing separators allowed), or -1. */
export function trailingRunStart(text: string): number {
  let start = -1;
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    let k = m.index + m[0].length;
    while (k < text.length && isSeparatorOrInvisible(String.fromCodePoint(text.codePointAt(k)!))) k += text.codePointAt(k)! > 0xffff ? 2 : 1;
    if (k === text.length) start = m.index;
  }
  return start;
}

/** Whether `text` begins with a digit (leading separators and invisible characters allowed). */
export function startsWithDigit(text: string): boolean {
  for (let k = 0; k < text.length && k < 64; ) {
    const cp = text.codePointAt(k)!;
    const ch = String.fromCodePoint(cp);
    if (digitsOfCodePoint(cp) !== null) return true;
    if (!isSeparatorOrInvisible(ch)) return false;
    k += ch.length;
  }
  return false;
}

/** The ASCII digits of `text` (every digit form), everything else dropped. */
export function digitsOf(text: string): string {
  let out = '';
  for (const ch of text) out += digitsOfCodePoint(ch.codePointAt(0)!) ?? '';
  return out;
}

/** Whether `text` has a character that may be a digit (so it is worth scanning). */
export function mayHoldDigits(text: string): boolean {
  return DIGITISH.test(text);
}
const DIGITISH = new RegExp(`[${DIGITISH_CLASS}]`, 'u');
