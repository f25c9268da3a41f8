/**
 * What counts as a card number: a brand's issuer range (IIN) with one of that brand's lengths, and
 * the Luhn check on the whole number. Brand rules keep Luhn-valid phone, order and parcel numbers
 * that no card scheme issues from being masked; the table errs on the side of coverage (a range
 * used by several schemes is listed once per scheme; overlaps are harmless).
 *
 * Sources: the schemes' published IIN ranges (ISO/IEC 7812 registrations as listed by the schemes
 * and by processors' test-card documentation). Lengths are the lengths each scheme issues.
 */

/** [first prefix, last prefix (same number of digits), lengths]. */
type Range = readonly [string, string, readonly number[]];

const L16_19 = [16, 17, 18, 19] as const;

export const BRANDS: ReadonlyArray<{ brand: string; ranges: readonly Range[] }> = [
  { brand: 'visa', ranges: [['4', '4', [13, 16, 19]]] },
  { brand: 'mastercard', ranges: [['51', '55', [16]], ['2221', '2720', [16]]] },
  { brand: 'amex', ranges: [['34', '34', [15]], ['37', '37', [15]]] },
  { brand: 'discover', ranges: [['6011', '6011', L16_19], ['644', '649', L16_19], ['65', '65', L16_19], ['622126', '622925', L16_19]] },
  { brand: 'diners', ranges: [['300', '305', [14, 15, 16, 17, 18, 19]], ['3095', '3095', [14, 15, 16, 17, 18, 19]], ['36', '36', [14, 15, 16, 17, 18, 19]], ['38', '39', [14, 15, 16, 17, 18, 19]], ['54', '55', [16]]] },
  { brand: 'jcb', ranges: [['3528', '3589', L16_19], ['308800', '309499', [16]], ['309600', '310299', [16]], ['311200', '312099', [16]], ['315800', '315999', [16]], ['333700', '334999', [16]]] },
  { brand: 'unionpay', ranges: [['62', '62', L16_19], ['81', '81', [16, 17, 18, 19]]] },
  { brand: 'maestro', ranges: [['5018', '5018', [12, 13, 14, 15, 16, 17, 18, 19]], ['5020', '5020', [12, 13, 14, 15, 16, 17, 18, 19]], ['5038', '5038', [12, 13, 14, 15, 16, 17, 18, 19]], ['5893', '5893', [12, 13, 14, 15, 16, 17, 18, 19]], ['6304', '6304', [12, 13, 14, 15, 16, 17, 18, 19]], ['6759', '6759', [12, 13, 14, 15, 16, 17, 18, 19]], ['6761', '6763', [12, 13, 14, 15, 16, 17, 18, 19]], ['50', '50', [12, 13, 14, 15, 16, 17, 18, 19]], ['56', '58', [12, 13, 14, 15, 16, 17, 18, 19]], ['639', '639', [12, 13, 14, 15, 16, 17, 18, 19]], ['67', '67', [12, 13, 14, 15, 16, 17, 18, 19]]] },
  { brand: 'mir', ranges: [['2200', '2204', L16_19]] },
  { brand: 'rupay', ranges: [['60', '60', [16]], ['65', '65', [16]], ['81', '82', [16]], ['508', '508', [16]], ['353', '353', [16]], ['356', '356', [16]]] },
  { brand: 'elo', ranges: [['401178', '401179', [16]], ['431274', '431274', [16]], ['438935', '438935', [16]], ['451416', '451416', [16]], ['457393', '457393', [16]], ['457631', '457632', [16]], ['504175', '504175', [16]], ['506699', '506778', [16]], ['509000', '509999', [16]], ['627780', '627780', [16]], ['636297', '636297', [16]], ['636368', '636368', [16]], ['650031', '650978', [16]], ['651652', '651679', [16]], ['655000', '655058', [16]]] },
  { brand: 'hipercard', ranges: [['606282', '606282', [16, 19]], ['384100', '384100', [16, 19]], ['384140', '384140', [16, 19]], ['384160', '384160', [16, 19]], ['637095', '637095', [16]], ['637568', '637568', [16]], ['637599', '637599', [16]], ['637609', '637609', [16]], ['637612', '637612', [16]]] },
  { brand: 'troy', ranges: [['9792', '9792', [16]], ['65', '65', [16]]] },
  { brand: 'verve', ranges: [['506099', '506198', [16, 18, 19]], ['650002', '650027', [16, 18, 19]], ['507865', '507964', [16, 18, 19]]] },
  { brand: 'uatp', ranges: [['1', '1', [15]]] },
  { brand: 'dankort', ranges: [['5019', '5019', [16]], ['4571', '4571', [16]]] },
  { brand: 'interpayment', ranges: [['636', '636', L16_19]] },
  { brand: 'instapayment', ranges: [['637', '639', [16]]] },
  { brand: 'lankapay', ranges: [['357111', '357111', [16]]] },
  { brand: 'borica', ranges: [['2205', '2205', [16]]] },
  { brand: 'humo', ranges: [['9860', '9860', [16]]] },
  { brand: 'uzcard', ranges: [['8600', '8600', [16]], ['5614', '5614', [16]]] },
  { brand: 'gpn', ranges: [['1946', '1946', [16, 18, 19]], ['50', '50', [16, 18, 19]], ['56', '56', [16, 18, 19]], ['58', '58', [16, 18, 19]], ['60', '63', [16, 18, 19]]] },
  { brand: 'bankcard', ranges: [['5610', '5610', [16]], ['560221', '560225', [16]]] },
];

/** The ranges by prefix length, numeric, so a lookup is a few integer comparisons. */
const BY_PREFIX_LENGTH: Array<Array<{ brand: string; lo: number; hi: number; lengths: ReadonlySet<number> }>> = [];
for (const { brand, ranges } of BRANDS) {
  for (const [lo, hi, lengths] of ranges) {
    (BY_PREFIX_LENGTH[lo.length] ??= []).push({ brand, lo: Number(lo), hi: Number(hi), lengths: new Set(lengths) });
  }
}

export const MIN_PAN = 12;
export const MAX_PAN = 19;

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

/** The brand whose issuer range and lengths fit `digits` (ASCII digits), or null. Luhn not checked. */
export function cardBrand(digits: string): string | null {
  const n = digits.length;
  if (n < MIN_PAN || n > MAX_PAN) return null;
  for (let p = 1; p < BY_PREFIX_LENGTH.length; p++) {
    const list = BY_PREFIX_LENGTH[p];
    if (!list) continue;
    const prefix = Number(digits.slice(0, p));
    for (const r of list) if (prefix >= r.lo && prefix <= r.hi && r.lengths.has(n)) return r.brand;
  }
  return null;
}

/** A card number: a brand's range and length, and Luhn on the whole number. */
export function isCardNumber(digits: string): boolean {
  // Luhn first: it is cheaper and rejects nine numbers in ten.
  return digits.length >= MIN_PAN && digits.length <= MAX_PAN && luhnValid(digits) && cardBrand(digits) !== null;
}

/**
 * Whether `digits` can be the beginning of a card number that has at least `more` further digits:
 * some brand's range admits its first digits and one of its lengths is long enough.
 */
export function couldStartCard(digits: string, more: number): boolean {
  for (const { ranges } of BRANDS) {
    for (const [lo, hi, lengths] of ranges) {
      if (!lengths.some((n) => n >= digits.length + more)) continue;
      const p = Math.min(lo.length, digits.length);
      const head = Number(digits.slice(0, p));
      if (head >= Number(lo.slice(0, p)) && head <= Number(hi.slice(0, p))) return true;
    }
  }
  return false;
}
