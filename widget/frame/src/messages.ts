import type { MessageView } from '../../../protocol/records.js';

/**
 * Merges messages from `ready.messages`, `ack.message` and `message` events into one list:
 * deduplicated by id (a later copy replaces an earlier one), internal notes dropped, sorted by seq
 * within a conversation and conversations in the order they started.
 */
export function mergeMessages(list: readonly MessageView[], incoming: readonly MessageView[]): MessageView[] {
  const byId = new Map<string, MessageView>();
  for (const m of list) byId.set(m.id, m);
  for (const m of incoming) {
    if (!m || typeof m.id !== 'string' || m.internal === true) continue;
    byId.set(m.id, m);
  }
  const all = [...byId.values()];
  // A conversation's place is the time of its earliest message.
  const start = new Map<string, string>();
  for (const m of all) {
    const s = start.get(m.conversationId);
    if (s === undefined || m.createdAt < s) start.set(m.conversationId, m.createdAt);
  }
  return all.sort((a, b) => {
    if (a.conversationId !== b.conversationId) {
      const sa = start.get(a.conversationId)!;
      const sb = start.get(b.conversationId)!;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return a.conversationId < b.conversationId ? -1 : 1;
    }
    return a.seq - b.seq;
  });
}

/** Highest seq seen in one conversation (0 when none): what the hello frame resumes from. */
export function lastSeqOf(list: readonly MessageView[], conversationId: string | null): number {
  let max = 0;
  for (const m of list) if (m.conversationId === conversationId && m.seq > max) max = m.seq;
  return max;
}
