/**
 * Redaction of sensitive data in text a person typed. One definition, shared by the widget frame
 * (before anything leaves the visitor's browser) and the server (again, before anything is stored,
 * emailed, logged or sent). No dependencies.
 *
 * - Card numbers, however typed (redactionScan.ts and redactionChars.ts: any digit form, any
 *   separators and invisible characters between them, brand ranges and lengths, Luhn on the whole
 *   number) → the whole number becomes `[card •••• 4242]` (last four kept, as PCI DSS allows).
 *   Encoded cards (redactionDecode.ts: percent-encoding, HTML references, JS/JSON escapes) too:
 *   the text is then kept decoded.
 * - Right after a card: an expiry → `[exp ••/••]`, a 3–4 digit code → `[cvc •••]`.
 * - Security codes in card context: a 3–4 digit number shortly after cvc / cvv / cvv2 / cid / csc /
 *   security code / card verification / cryptogramme → `[cvc •••]`.
 * - Tenant patterns: every non-empty match → `[redacted]`. They are applied after the built-in
 *   rules and can only add masking: nothing turns card redaction off.
 * - Across messages (redactContinuing): a card typed over several consecutive messages of one
 *   author is found by joining the digit run that ends the earlier messages with the one that
 *   starts the new message; every part is masked.
 *
 * Idempotent: redacting already-redacted text changes nothing.
 */
import { cardSpans, digitsOf, startsWithDigit, trailingRunStart, type Span } from './redactionScan.js';
import { couldStartCard } from './redactionCards.js';
import { decodeText, mayBeEncoded } from './redactionDecode.js';

export { mayHoldDigits } from './redactionScan.js';

export { luhnValid, cardBrand, isCardNumber } from './redactionCards.js';

export interface RedactionResult {
  text: string;
  /** How many spans were replaced. */
  redacted: number;
}

/** Card-context keyword, a short gap without digits or brackets, then 3–4 digits (any script). */
const SECURITY_CODE =
  /\b(cvc2?|cvv2?|cid|csc|cav2|security[\s-]*code|card[\s-]*verification(?:[\s-]*(?:code|value|number))?|code[\s-]+de[\s-]+s[ée]curit[ée]|cryptogramme(?:[\s-]+visuel)?)(?!\p{L})([^\p{Nd}\n[\]]{0,12}?)(?<!\p{Nd})(\p{Nd}{3,4})(?!\p{Nd})/giu;

/** An expiry shortly after a masked card: "exp 12/27", ", valid thru 12-2027", and a code right after it ("12/27 123"). */
const EXPIRY_AFTER_CARD =
  /^([^\p{Nd}\n[\]]{0,4}(?:exp(?:iry|ires|iration)?(?:\s*date)?|valid\s*(?:thru|through|until)|gültig\s*bis|ablauf(?:datum)?|expira(?:tion)?|vence)?[^\p{Nd}\n[\]]{0,4}?)(?<!\p{Nd})((?:0?[1-9]|1[0-2])\s*[/.\-\u2215]\s*(?:\d{4}|\d{2}))(?!\p{Nd})(?:([\s,;]{1,3}(?:cvc2?|cvv2?|cid|csc)?[\s:=]{0,3})(\p{Nd}{3,4})(?!\p{Nd}))?/iu;

export function maskCard(digits: string): string {
  return `[card •••• ${digits.slice(-4)}]`;
}
/** The part of a card typed in an earlier message, when the last four are in a later one. */
export const MASK_CARD_PART = '[card ••••]';
export const MASK_EXPIRY = '[exp ••/••]';
export const MASK_CVC = '[cvc •••]';

function replacement(span: Span): string {
  return span.kind === 'card' ? maskCard(span.digits) : span.kind === 'expiry' ? MASK_EXPIRY : MASK_CVC;
}

/** Card spans, plus an expiry typed just after a card outside its digit run. */
function builtInSpans(text: string): Span[] {
  const spans = cardSpans(text);
  const extra: Span[] = [];
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k]!;
    if (s.kind !== 'card') continue;
    const nextStart = spans[k + 1]?.start ?? text.length;
    const m = EXPIRY_AFTER_CARD.exec(text.slice(s.end, Math.min(nextStart, s.end + 40)));
    if (!m) continue;
    const at = s.end + m[1]!.length;
    extra.push({ start: at, end: at + m[2]!.length, kind: 'expiry', digits: '' });
    if (m[4]) extra.push({ start: at + m[2]!.length + m[3]!.length, end: at + m[2]!.length + m[3]!.length + m[4].length, kind: 'cvc', digits: '' });
  }
  return extra.length ? [...spans, ...extra].sort((a, b) => a.start - b.start) : spans;
}

function applySpans(text: string, spans: readonly Span[], replace: (s: Span) => string = replacement): string {
  let out = '';
  let cursor = 0;
  for (const s of spans) {
    if (s.start < cursor) continue;
    out += text.slice(cursor, s.start) + replace(s);
    cursor = s.end;
  }
  return out + text.slice(cursor);
}

function globalCopy(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
}

/** Security codes by keyword, then the tenant's patterns (additive). */
function keywordAndTenantRules(text: string, extraPatterns: readonly RegExp[]): RedactionResult {
  let redacted = 0;
  let out = text;
  if (/c[vis]|secur|verif|crypto|s[ée]curit/i.test(out)) {
    out = out.replace(SECURITY_CODE, (_m, word: string, gap: string) => {
      redacted++;
      return `${word}${gap}${MASK_CVC}`;
    });
  }
  for (const pattern of extraPatterns) {
    out = out.replace(globalCopy(pattern), (m) => {
      if (m === '' || m === '[redacted]') return m;
      redacted++;
      return '[redacted]';
    });
  }
  return { text: out, redacted };
}

function redactPlain(text: string, extraPatterns: readonly RegExp[]): RedactionResult {
  const spans = builtInSpans(text);
  const rest = keywordAndTenantRules(spans.length ? applySpans(text, spans) : text, extraPatterns);
  return { text: rest.text, redacted: spans.length + rest.redacted };
}

/**
 * A redacted text that may still hold a card in an encoded form — percent-encoding (`%34%32`,
 * `4242%204242`, twice encoded `%2534`), HTML character references (`&#52;`, `&#x34;`, `&nbsp;`),
 * JavaScript/JSON escapes (`\u0034`, `\x34`) — is decoded (up to three layers) and redacted again;
 * when the decoded form holds a card, the decoded form is what is kept, redacted.
 */
function redactDecoded(result: RedactionResult, extraPatterns: readonly RegExp[]): RedactionResult {
  if (!mayBeEncoded(result.text)) return result;
  const decoded = decodeText(result.text);
  if (decoded === result.text || builtInSpans(decoded).length === 0) return result;
  const again = redactPlain(decoded, extraPatterns);
  return { text: again.text, redacted: result.redacted + again.redacted };
}

export function redact(text: string, extraPatterns: readonly RegExp[] = []): RedactionResult {
  return redactDecoded(redactPlain(text, extraPatterns), extraPatterns);
}

/** Whether `text` holds a card number in any form redact() finds (plain or encoded). */
export function holdsCard(text: string): boolean {
  if (builtInSpans(text).length > 0) return true;
  if (!mayBeEncoded(text)) return false;
  return builtInSpans(decodeText(text)).length > 0;
}

/** A field (an address, a file name, a name): the same as redact(), kept for its callers. */
export function redactField(text: string, extraPatterns: readonly RegExp[] = []): string {
  return redact(text, extraPatterns).text;
}

/** How far back a card typed over several messages is looked for. */
export const CONTINUATION = { maxMessages: 19, maxDigits: 40 } as const;

export interface ContinuationResult extends RedactionResult {
  /** For each earlier text given (same order): its new text when part of a card was in it, else null. */
  earlier: Array<string | null>;
}

/** The digit run that ends the earlier texts: newest message first, back while each is only digits. */
function trailingPieces(earlier: readonly string[]): Array<{ index: number; from: number }> {
  const pieces: Array<{ index: number; from: number }> = [];
  let digits = 0;
  for (let k = earlier.length - 1; k >= 0 && pieces.length < CONTINUATION.maxMessages - 1 && digits < CONTINUATION.maxDigits; k--) {
    const from = trailingRunStart(earlier[k]!);
    if (from < 0) break;
    pieces.unshift({ index: k, from });
    digits += earlier[k]!.length - from;
    if (!startsWithDigit(earlier[k]!) || earlier[k]!.slice(0, from).trim() !== '') break;
  }
  return pieces;
}

/** A message that begins with a masked card: the frame masked the end of a card begun earlier. */
const CONTINUED_MASK = /^[\s\p{Cf}]*\[card •••• \p{Nd}{4}\]/u;

/** Whether `text` may continue a card begun in earlier messages (so they are worth reading). */
export function mayContinueCard(text: string): boolean {
  return startsWithDigit(text) || CONTINUED_MASK.test(text);
}

/**
 * The new message begins with a masked card and the earlier messages end with digits that can begin
 * a card of some brand (range and length): the sender (the frame, see widget/frame/src/
 * outgoingRedaction.ts) masked the later part of a card typed over several messages, so the
 * earlier part is masked too. (It may be a new card right after an unrelated number: then that
 * number is masked needlessly, the safe side.)
 */
function maskStartedCard(earlier: readonly string[]): Array<string | null> {
  const result: Array<string | null> = earlier.map(() => null);
  const pieces = trailingPieces(earlier);
  const digits = pieces.map((p) => digitsOf(earlier[p.index]!.slice(p.from))).join('');
  if (!digits || !couldStartCard(digits, 4)) return result;
  for (const p of pieces) result[p.index] = earlier[p.index]!.slice(0, p.from) + MASK_CARD_PART;
  return result;
}

/**
 * Redacts `text`, a new message, together with the digits that ended the same author's previous
 * messages (`earlier`, oldest first, as they were sent/stored): a card typed as "4242 4242" then
 * "4242 4242" is masked in both. Earlier texts are only used from their trailing digit run, and
 * only while each one is nothing but digits back to the one before.
 */
export function redactContinuing(earlier: readonly string[], text: string, extraPatterns: readonly RegExp[] = []): ContinuationResult {
  const none: Array<string | null> = earlier.map(() => null);
  if (earlier.length === 0) return { ...redact(text, extraPatterns), earlier: none };
  if (!startsWithDigit(text)) {
    const r = redact(text, extraPatterns);
    return { ...r, earlier: CONTINUED_MASK.test(text) ? maskStartedCard(earlier) : none };
  }
  const pieces = trailingPieces(earlier);
  if (pieces.length === 0) return { ...redact(text, extraPatterns), earlier: none };

  // One text: the pieces and the new message, joined by line breaks (a separator like any other).
  let joined = '';
  const bounds: Array<{ start: number; end: number; index: number; from: number }> = [];
  for (const p of pieces) {
    const part = earlier[p.index]!.slice(p.from);
    bounds.push({ start: joined.length, end: joined.length + part.length, index: p.index, from: p.from });
    joined += part + '\n';
  }
  const own = { start: joined.length, end: joined.length + text.length };
  joined += text;

  // Only what spans a boundary is new: what lies within one message its own redaction finds.
  const all = builtInSpans(joined);
  const crossing = all.filter((s) => s.start < own.start && s.end > own.start);
  if (crossing.length === 0) return { ...redact(text, extraPatterns), earlier: none };
  // With the expiry and code typed right after that card.
  const following: Span[] = [];
  for (let k = all.indexOf(crossing[crossing.length - 1]!) + 1; k < all.length && all[k]!.kind !== 'card'; k++) following.push(all[k]!);

  const result = [...none];
  for (const b of bounds) {
    const parts = crossing.filter((s) => s.start < b.end && s.end > b.start).map((s) => ({ ...s, start: Math.max(s.start, b.start) - b.start, end: Math.min(s.end, b.end) - b.start }));
    if (parts.length === 0) continue;
    const orig = earlier[b.index]!;
    result[b.index] = orig.slice(0, b.from) + applySpans(orig.slice(b.from), parts, () => MASK_CARD_PART);
  }
  // In the new message: the card's end (with its last four), and then the message's own spans.
  const head = [...crossing, ...following].map((s) => ({ ...s, start: Math.max(s.start, own.start) - own.start, end: s.end - own.start }));
  const cut = head[head.length - 1]!.end;
  const tail = builtInSpans(text.slice(cut)).map((s) => ({ ...s, start: s.start + cut, end: s.end + cut }));
  const spans = [...head, ...tail];
  const rest = redactDecoded(keywordAndTenantRules(applySpans(text, spans), extraPatterns), extraPatterns);
  return { text: rest.text, redacted: spans.length + rest.redacted + result.filter((r) => r !== null).length, earlier: result };
}
