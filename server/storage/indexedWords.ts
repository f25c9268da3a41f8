/**
 * The words this node has seen committed to the search index for a conversation, so a message that
 * repeats them neither computes their tokens (an HMAC each) nor inserts rows that are already there
 * (an index lookup each, ending in "on conflict do nothing"): 16 of a typical message's 17 words.
 *
 * A cache of facts about committed rows, and safe as one: search rows are deleted only together
 * with their conversation, which then takes no new messages; a word missing from the cache is just
 * indexed again (and ignored if another node already did). Words are held as a 64-bit hash under a
 * random per-process seed, never as text. A false "already indexed" would need two words of one
 * conversation to collide in 64 bits. Bounded per database; the oldest entries are forgotten first.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from './db.js';

const MAX_ENTRIES = 50_000;
const seenBy = new WeakMap<Storage, Set<string>>();
const [SEED_A, SEED_B] = [randomBytes(4).readUInt32LE(0), randomBytes(4).readUInt32LE(0)];

/** Two independent 32-bit multiply-xorshift lanes over the UTF-16 code units. */
function wordHash(word: string): string {
  let a = SEED_A ^ 0x811c9dc5;
  let b = SEED_B ^ 0x9e3779b9;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 15), 0xc2b2ae35);
  return (a >>> 0).toString(36) + ':' + ((b ^ (b >>> 16)) >>> 0).toString(36);
}

function seen(storage: Storage): Set<string> {
  let set = seenBy.get(storage);
  if (!set) seenBy.set(storage, (set = new Set()));
  return set;
}

/** The words not known to be indexed for this conversation. */
export function unindexedWords(storage: Storage, conversationId: string, words: string[]): string[] {
  const set = seen(storage);
  return words.filter((w) => !set.has(`${conversationId} ${wordHash(w)}`));
}

/** Call only after the transaction that inserted the words' rows committed. */
export function markIndexed(storage: Storage, conversationId: string, words: string[]): void {
  const set = seen(storage);
  for (const w of words) {
    const key = `${conversationId} ${wordHash(w)}`;
    if (set.has(key)) continue;
    set.add(key);
    if (set.size > MAX_ENTRIES) set.delete(set.values().next().value!);
  }
}
