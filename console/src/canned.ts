/** Canned responses in the composer: `/shortcut` suggestions and {{variable}} expansion. Pure. */
import type { CannedResponseView } from '../../protocol/contactCentre.js';

/** The shortcut being typed: the composer's text is `/` followed by letters, digits, - or _. */
export function cannedQuery(text: string): string | null {
  const m = /^\/([a-z0-9_-]*)$/i.exec(text);
  return m ? m[1]!.toLowerCase() : null;
}

/** Responses whose shortcut starts with the query (exact match first), at most 8. */
export function matchCanned(list: readonly CannedResponseView[], query: string): CannedResponseView[] {
  return list
    .filter((c) => c.shortcut.startsWith(query) || c.title.toLowerCase().includes(query))
    .sort((a, b) => Number(b.shortcut === query) - Number(a.shortcut === query) || Number(b.shortcut.startsWith(query)) - Number(a.shortcut.startsWith(query)) || a.shortcut.localeCompare(b.shortcut))
    .slice(0, 8);
}

export interface CannedVars {
  visitor: { name: string | null; email: string | null };
  agent: { name: string };
}

/** Replaces {{visitor.name}}, {{visitor.email}}, {{agent.name}}; unknown or empty variables become ''/fallback. */
export function expandCanned(body: string, vars: CannedVars, fallbackVisitorName: string): string {
  return body.replace(/\{\{\s*(visitor\.name|visitor\.email|agent\.name)\s*\}\}/g, (_m, key: string) => {
    if (key === 'visitor.name') return vars.visitor.name?.trim() || fallbackVisitorName;
    if (key === 'visitor.email') return vars.visitor.email ?? '';
    return vars.agent.name;
  });
}
