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

export function normaliseWords(text: string): string[] {
  // Printable ASCII is its own NFKD form and has no marks to drop (most messages: skip both passes).
  const words = (PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKD').replace(/\p{M}+/gu, ''))
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2 && w.length <= 40);
  return [...new Set(words)].slice(0, MAX_WORDS);
}

export function blindToken(searchKey: Uint8Array, word: string): string {
  return createHmac('sha256', searchKey).update(word).digest('base64url').slice(0, 22);
}

export function blindTokens(searchKey: Buffer, text: string): string[] {
  return normaliseWords(text).map((w) => blindToken(searchKey, w));
}
