/**
 * The words this node has seen committed to the search index for a conversation, so a message that
 * repeats them neither computes their tokens (an HMAC each) nor inserts rows that are already there
 * (an index lookup each, ending in "on conflict do nothing"): 16 of a typical message's 17 words.
 *
 * A cache of facts about committed rows, and safe as one: search rows are deleted only together
 * with their conversation, which then takes no new messages; a word missing from the cache is just
 * indexed again (and ignored if another node already did). Words are held as a 53-bit hash under a
 * random per-process seed, never as text. A false "already indexed" would need two words of one
 * conversation to collide in 53 bits. Bounded per database; the oldest entries are forgotten first.
 *
 * `database` is whatever identifies the database in this thread: the Storage on the event loop, the
 * writer thread's own connection there (storage/sqliteWriter.ts). Each thread keeps its own facts.
 */
import { randomBytes } from 'node:crypto';

const MAX_ENTRIES = 50_000;
/** Per database: conversation → hashes of its indexed words; conversations in order of first use. */
const seenBy = new WeakMap<object, { conversations: Map<string, Set<number>>; entries: number }>();
const [SEED_A, SEED_B] = [randomBytes(4).readUInt32LE(0), randomBytes(4).readUInt32LE(0)];

/** Two independent 32-bit multiply-xorshift lanes over the UTF-16 code units, 53 bits of them kept (a safe integer). */
function wordHash(word: string): number {
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
  return (a >>> 0) * 0x200000 + (((b ^ (b >>> 16)) >>> 0) >>> 11);
}

function seen(database: object) {
  let state = seenBy.get(database);
  if (!state) seenBy.set(database, (state = { conversations: new Map(), entries: 0 }));
  return state;
}

/** The words not known to be indexed for this conversation. */
export function unindexedWords(database: object, conversationId: string, words: string[]): string[] {
  const hashes = seen(database).conversations.get(conversationId);
  return hashes ? words.filter((w) => !hashes.has(wordHash(w))) : words;
}

/** Call only after the transaction that inserted the words' rows committed. */
export function markIndexed(database: object, conversationId: string, words: string[]): void {
  if (words.length === 0) return;
  const state = seen(database);
  let hashes = state.conversations.get(conversationId);
  if (!hashes) state.conversations.set(conversationId, (hashes = new Set()));
  for (const w of words) {
    const h = wordHash(w);
    if (hashes.has(h)) continue;
    hashes.add(h);
    state.entries++;
  }
  // Bounded: the conversations first seen longest ago are forgotten whole.
  for (const [id, set] of state.conversations) {
    if (state.entries <= MAX_ENTRIES || id === conversationId) break;
    state.conversations.delete(id);
    state.entries -= set.size;
  }
}
