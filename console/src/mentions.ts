/**
 * The @mention autocomplete of private notes (issue 20), pure (unit-tested in mentions.test.ts):
 * which `@query` the caret is in, which colleagues match it, and the text once one is chosen. The
 * handle inserted is one the server recognises (protocol/productivity.ts mentionHandles): the part of
 * the colleague's email before the @, else their name without spaces; a colleague with neither in
 * the handle alphabet cannot be mentioned and is not offered.
 */
import { MENTION_HANDLE as HANDLE } from '../../protocol/productivity.js';

/** `@` at the start or after a character that cannot be part of a handle or an email, then the query up to the caret. */
const AT_QUERY = /(?:^|[^\w@.])@([A-Za-z0-9._+-]{0,63})$/;

export interface Mentionable {
  id: string;
  name: string;
  email: string;
}

export interface MentionCandidate extends Mentionable {
  handle: string;
}

export function handleFor(a: Pick<Mentionable, 'name' | 'email'>): string | null {
  const local = a.email.split('@')[0]!.toLowerCase();
  if (HANDLE.test(local) && !local.endsWith('.')) return local;
  const joined = a.name.replace(/\s+/g, '').toLowerCase();
  return HANDLE.test(joined) && !joined.endsWith('.') ? joined : null;
}

/** The `@query` being typed before the caret: where its @ is and what follows it (lowercased). */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = AT_QUERY.exec(text.slice(0, caret));
  if (!m) return null;
  const query = m[1]!;
  return { start: caret - query.length - 1, query: query.toLowerCase() };
}

/** Colleagues (not `meId`) whose handle, name or a word of their name starts with the query; handle matches first, at most `limit`. */
export function matchMentions(people: readonly Mentionable[], query: string, meId: string, limit = 8): MentionCandidate[] {
  const q = query.toLowerCase();
  const scored: Array<{ c: MentionCandidate; rank: number }> = [];
  for (const p of people) {
    if (p.id === meId) continue;
    const handle = handleFor(p);
    if (!handle) continue;
    const name = p.name.toLowerCase();
    const rank = handle.startsWith(q) ? 0 : name.replace(/\s+/g, '').startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q)) ? 1 : -1;
    if (rank >= 0) scored.push({ c: { ...p, handle }, rank });
  }
  return scored
    .sort((a, b) => a.rank - b.rank || a.c.name.localeCompare(b.c.name))
    .slice(0, limit)
    .map((s) => s.c);
}

/** The text with `@query` (from `start` to the caret) replaced by `@handle ` and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, handle: string): { text: string; caret: number } {
  const before = text.slice(0, start);
  const after = text.slice(caret);
  const inserted = `@${handle}${after.startsWith(' ') ? '' : ' '}`;
  return { text: before + inserted + after, caret: before.length + inserted.length + (after.startsWith(' ') ? 1 : 0) };
}
