/**
 * Redaction of sensitive data in chat text. Shared by the widget frame (before a message leaves the
 * visitor's browser) and the server (again, before anything is stored). No dependencies.
 *
 * - Card numbers: 12–19 digits, optionally in groups separated by single spaces or dashes, that pass
 *   the Luhn check → `[card •••• 4242]` (last four kept).
 * - Security codes in card context: a 3–4 digit number shortly after cvc / cvv / cvv2 / cid / csc /
 *   security code / card verification / cryptogramme → `[cvc •••]`.
 * - Tenant patterns: every non-empty match → `[redacted]`.
 *
 * Idempotent: redacting already-redacted text changes nothing.
 */

export interface RedactionResult {
  text: string;
  /** How many spans were replaced. */
  redacted: number;
}

/** Runs of digit groups joined by a single space or dash, not touching other digits. */
const DIGIT_RUN = /(?<!\d)\d+(?:[ -]\d+)*(?!\d)/g;

/** Card-context keyword, a short gap without digits or brackets, then 3–4 digits. */
const SECURITY_CODE =
  /\b(cvc2?|cvv2?|cid|csc|cav2|security[\s-]*code|card[\s-]*verification(?:[\s-]*(?:code|value|number))?|code[\s-]+de[\s-]+s[ée]curit[ée]|cryptogramme(?:[\s-]+visuel)?)(?!\p{L})([^\d\n[\]]{0,12}?)(?<!\d)(\d{3,4})(?!\d)/giu;

const MIN_PAN = 12;
const MAX_PAN = 19;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function maskCard(digits: string): string {
  return `[card •••• ${digits.slice(-4)}]`;
}

/**
 * Within one run of digit groups, finds the card numbers: starting at each group, the longest
 * sequence of whole groups with 12–19 digits in total that passes Luhn. Whole groups only, so a
 * 20-digit number or a longer reference is never cut into a "card".
 */
function redactRun(run: string): { text: string; count: number } {
  const groups: Array<{ start: number; end: number; digits: string }> = [];
  for (const m of run.matchAll(/\d+/g)) groups.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });

  let out = '';
  let cursor = 0;
  let count = 0;
  for (let s = 0; s < groups.length; ) {
    let digits = '';
    let best = -1;
    for (let e = s; e < groups.length; e++) {
      digits += groups[e]!.digits;
      if (digits.length > MAX_PAN) break;
      if (digits.length >= MIN_PAN && luhnValid(digits)) best = e;
    }
    if (best < 0) {
      s++;
      continue;
    }
    const all = groups
      .slice(s, best + 1)
      .map((g) => g.digits)
      .join('');
    out += run.slice(cursor, groups[s]!.start) + maskCard(all);
    cursor = groups[best]!.end;
    count++;
    s = best + 1;
  }
  return { text: out + run.slice(cursor), count };
}

function globalCopy(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
}

export function redact(text: string, extraPatterns: readonly RegExp[] = []): RedactionResult {
  let redacted = 0;

  let out = text.replace(DIGIT_RUN, (run) => {
    const digitCount = run.length - (run.match(/[ -]/g)?.length ?? 0);
    if (digitCount < MIN_PAN) return run;
    const r = redactRun(run);
    redacted += r.count;
    return r.text;
  });

  out = out.replace(SECURITY_CODE, (_m, word: string, gap: string) => {
    redacted++;
    return `${word}${gap}[cvc •••]`;
  });

  for (const pattern of extraPatterns) {
    out = out.replace(globalCopy(pattern), (m) => {
      if (m === '' || m === '[redacted]') return m;
      redacted++;
      return '[redacted]';
    });
  }

  return { text: out, redacted };
}
