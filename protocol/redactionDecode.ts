/**
 * The encodings a card number can be typed or pasted in without a single plain digit run:
 * percent-encoding (`%34%32…`, `4242%204242…`, `%u0034`), HTML character references (`&#52;`,
 * `&#x34;`, `&nbsp;`, `&amp;#52;`), JavaScript/JSON escapes (`\u0034`, `\u{34}`, `\x34`). redact()
 * (redaction.ts) reads a text decoded as well as it is, so any of these is a card to every sink
 * that decodes it (a browser, a JSON parser, a URL bar, a person). No dependencies.
 */

const ENCODED_RE = /%[0-9a-f]{2}|%u[0-9a-f]{4}|&(?:#|[a-z]{2,9};|nbsp)|\\[uxtnrfvb/]/i;

/** Whether a text may hold an encoded character (so decoding it is worth trying). */
export function mayBeEncoded(text: string): boolean {
  // Most texts have none of the three characters an encoding starts with: no regular expression then.
  return (text.includes('%') || text.includes('&') || text.includes('\\')) && ENCODED_RE.test(text);
}

/** Named references of separators (and `&amp;`, for a text encoded twice). */
const NAMED: Record<string, string> = {
  amp: '&', nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009', hairsp: '\u200a', numsp: '\u2007', puncsp: '\u2008', nnbsp: '\u202f',
  middot: '\u00b7', centerdot: '\u00b7', bull: '\u2022', bullet: '\u2022', ndash: '\u2013', mdash: '\u2014', minus: '\u2212', hyphen: '\u2010', dash: '\u2010',
  period: '.', comma: ',', colon: ':', semi: ';', sol: '/', bsol: '\\', lowbar: '_', plus: '+', verbar: '|', vert: '|', tilde: '~', ast: '*', num: '#', excl: '!',
  zwj: '\u200d', zwnj: '\u200c', shy: '\u00ad', lrm: '\u200e', rlm: '\u200f', tab: '\t', newline: '\n', nobr: '',
};

const codePoint = (n: number, original: string) => (Number.isFinite(n) && n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : original);

const HTML = /&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?|&([a-zA-Z]{2,9});|&nbsp/g;
const ESCAPE = /\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|%u([0-9a-fA-F]{4})|\\([tnrfvb/])/g;
const SHORT_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', b: '\b', '/': '/' };
const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;

function percentDecode(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    // Not UTF-8 as a whole: the ASCII bytes decoded, the rest left as they were.
    return run.replace(/%([0-7][0-9a-fA-F])/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

function decodeOnce(text: string): string {
  return text
    .replace(HTML, (m, hex?: string, dec?: string, name?: string) => {
      if (hex !== undefined) return codePoint(parseInt(hex, 16), m);
      if (dec !== undefined) return codePoint(parseInt(dec, 10), m);
      if (name === undefined) return '\u00a0'; // "&nbsp" without its semicolon, as browsers read it
      return NAMED[name.toLowerCase()] ?? m;
    })
    .replace(ESCAPE, (m, braced?: string, u?: string, x?: string, pu?: string, short?: string) => {
      if (short !== undefined) return SHORT_ESCAPES[short]!;
      const hex = braced ?? x;
      // \uD83D\uDFCE: each half kept as a code unit, so a pair written as two escapes joins up.
      if (hex !== undefined) return codePoint(parseInt(hex, 16), m);
      return String.fromCharCode(parseInt((u ?? pu)!, 16));
    })
    .replace(PERCENT_RUN, percentDecode);
}

/** `text` with up to three layers of these encodings decoded. */
export function decodeText(text: string): string {
  let out = text;
  for (let k = 0; k < 3 && mayBeEncoded(out); k++) {
    const next = decodeOnce(out);
    if (next === out) break;
    out = next;
  }
  return out;
}
