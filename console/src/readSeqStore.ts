/** What this agent has read, per conversation (the highest seq seen), kept in this browser's localStorage. */
const READ_KEY = (agentId: string) => `parley.console.read.${agentId}`;

export function loadReadSeq(agentId: string): Record<string, number> {
  try {
    const raw = localStorage.getItem(READ_KEY(agentId));
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

export function saveReadSeq(agentId: string, readSeq: Record<string, number>): void {
  try {
    const entries = Object.entries(readSeq).slice(-500);
    localStorage.setItem(READ_KEY(agentId), JSON.stringify(Object.fromEntries(entries)));
  } catch {
    /* storage full or disabled: unread state just won't survive a reload */
  }
}
