/**
 * Unread markers of the widget's conversation list (issue 20): a dot on a conversation whose latest
 * message is a reply (an agent's, the bot's, or a system note — anything but the shopper's own) past
 * the shopper's read mark. A dot, not a count: the frame knows the latest message of every
 * conversation but holds the messages of only those it opened.
 *
 * The read mark is the conversation's own (`receipts.visitorRead`, kept by the server, moved when a
 * message is seen in an open, visible chat), so for a verified shopper it is shared by all their
 * devices: reading on the phone clears the dot on the laptop, live (the server sends the shopper's
 * read receipts to all their sockets). An unverified visitor has one browser anyway.
 */
import type { ConversationView } from '../../../protocol/records.js';

export function hasUnreadReply(c: ConversationView): boolean {
  const last = c.lastMessage;
  return !!last && last.author.kind !== 'visitor' && last.seq > (c.receipts?.visitorRead ?? 0);
}

/** The list with one conversation's read mark moved forward to `readSeq` (never back); the same list when nothing changed. */
export function withVisitorRead(list: ConversationView[], conversationId: string, readSeq: number): ConversationView[] {
  let changed = false;
  const next = list.map((c) => {
    if (c.id !== conversationId) return c;
    const r = c.receipts ?? { visitorDelivered: 0, visitorRead: 0, agentDelivered: 0, agentRead: 0 };
    if (r.visitorRead >= readSeq) return c;
    changed = true;
    return { ...c, receipts: { ...r, visitorRead: readSeq, visitorDelivered: Math.max(r.visitorDelivered, readSeq) } };
  });
  return changed ? next : list;
}
