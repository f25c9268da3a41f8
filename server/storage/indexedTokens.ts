/**
 * The (conversation, search token) rows this node has seen committed, so a message that repeats
 * words already indexed for its conversation does not insert them again. Those inserts ended in
 * "on conflict do nothing" but each still cost an index lookup: 16 of a typical message's 17 rows.
 *
 * A cache of facts about committed rows, and safe as one: search rows are deleted only together
 * with their conversation, which then takes no new messages; a row missing from the cache is simply
 * inserted (and ignored if another node wrote it). It holds tokens — keyed hashes — never words.
 * Bounded per database; the oldest entries are forgotten first.
 */
import type { Storage } from './db.js';

const MAX_ENTRIES = 50_000;
const seenBy = new WeakMap<Storage, Set<string>>();

interface SearchRowKey {
  conversation_id: string;
  token: string;
}

const keyOf = (r: SearchRowKey) => `${r.conversation_id} ${r.token}`;

function seen(storage: Storage): Set<string> {
  let set = seenBy.get(storage);
  if (!set) seenBy.set(storage, (set = new Set()));
  return set;
}

/** The rows not known to be in the index already. */
export function notYetIndexed<T extends SearchRowKey>(storage: Storage, rows: T[]): T[] {
  const set = seen(storage);
  return rows.filter((r) => !set.has(keyOf(r)));
}

/** Call only after the rows' transaction committed. */
export function markIndexed(storage: Storage, rows: SearchRowKey[]): void {
  const set = seen(storage);
  for (const r of rows) {
    const key = keyOf(r);
    if (set.has(key)) continue;
    set.add(key);
    if (set.size > MAX_ENTRIES) set.delete(set.values().next().value!);
  }
}
