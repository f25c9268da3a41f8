/**
 * Search without plaintext: each distinct normalised word of a message is stored only as a keyed
 * token, HMAC-SHA256(tenant search key, word), truncated to 128 bits. The same word gives different
 * tokens in different tenants; without the key a token reveals nothing but that two messages of one
 * tenant share a word (equality and frequency leak, by design of any blind index).
 *
 * Normalisation: Unicode NFKD, diacritics dropped, lower case, split on anything that is not a
 * letter or digit; words of 2–40 characters; at most 200 distinct words per message.
 */
import { createHmac } from 'node:crypto';

const MAX_WORDS = 200;
const PRINTABLE_ASCII = /^[\t\n\r\x20-\x7e]*$/;
/** What separates words: anything that is not a letter or a digit, in any script. */
const SEPARATORS = /[^\p{L}\p{N}]+/u;
/**
 * The ASCII part of SEPARATORS, on lower-cased text (whose ASCII letters are a-z): a split on it
 * does not need the Unicode tables, and was 5x cheaper than one on SEPARATORS over a whole
 * message. Non-ASCII characters stay inside the pieces, which SEPARATORS splits further.
 */
const ASCII_SEPARATORS = /[^a-z0-9\u0080-\uffff]+/;
const NON_ASCII = /[^\x00-\x7f]/;

export function normaliseWords(text: string): string[] {
  // Printable ASCII is its own NFKD form and has no marks to drop (most messages: skip both passes).
  const folded = (PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKD').replace(/\p{M}+/gu, '')).toLowerCase();
  // Splitting on a subset of the separators, then each piece on all of them, gives the same words
  // as one split on all of them; only pieces with a non-ASCII character need the second split.
  const ascii = !NON_ASCII.test(folded);
  const words = new Set<string>();
  for (const piece of folded.split(ASCII_SEPARATORS)) {
    if (ascii || !NON_ASCII.test(piece)) {
      if (piece.length >= 2 && piece.length <= 40) words.add(piece);
    } else {
      for (const w of piece.split(SEPARATORS)) if (w.length >= 2 && w.length <= 40) words.add(w);
    }
    if (words.size >= MAX_WORDS) break;
  }
  return [...words].slice(0, MAX_WORDS);
}

export function blindToken(searchKey: Uint8Array, word: string): string {
  return createHmac('sha256', searchKey).update(word).digest('base64url').slice(0, 22);
}

export function blindTokens(searchKey: Buffer, text: string): string[] {
  return normaliseWords(text).map((w) => blindToken(searchKey, w));
}
