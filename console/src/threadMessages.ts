/** A conversation's messages in the console: merging server copies with local pending ones, seqs held, hello.lastSeqs. */
import type { MessageView } from '../../protocol/records.js';
import { MAX_LAST_SEQS, type ChatMessage, type State } from './stateShape.js';

// ---------------------------------------------------------------- messages

const isPending = (m: ChatMessage) => m.delivery !== 'sent';

function sortMessages(list: ChatMessage[]): ChatMessage[] {
  const confirmed = list.filter((m) => !isPending(m)).sort((a, b) => a.seq - b.seq);
  const pending = list.filter(isPending);
  return [...confirmed, ...pending];
}

/**
 * Merge server messages into a thread: dedupe by id (the same message can come in ready, ack and
 * message frames), replace a local pending entry with the same clientId, keep seq order with
 * still-pending local messages last.
 */
export function mergeMessages(list: ChatMessage[], incoming: readonly MessageView[]): ChatMessage[] {
  if (incoming.length === 0) return list;
  const byId = new Map<string, ChatMessage>();
  const pendingByClient = new Map<string, ChatMessage>();
  for (const m of list) {
    if (isPending(m)) pendingByClient.set(m.clientId, m);
    else byId.set(m.id, m);
  }
  let changed = false;
  for (const m of incoming) {
    // A known message is replaced only when the server masked it after the fact (message.redacted).
    const known = byId.get(m.id);
    if (known && known.body === m.body) continue;
    changed = true;
    byId.set(m.id, { ...m, delivery: 'sent' });
    if (m.author.kind === 'agent') pendingByClient.delete(m.clientId);
  }
  if (!changed) return list;
  return sortMessages([...byId.values(), ...pendingByClient.values()]);
}

/** A local message shown at once, before the server acknowledges it. */
export function pendingMessage(args: {
  clientId: string;
  conversationId: string;
  body: string;
  internal: boolean;
  me: { id: string; name: string };
  now: Date;
}): ChatMessage {
  return {
    id: `local:${args.clientId}`,
    conversationId: args.conversationId,
    seq: Number.MAX_SAFE_INTEGER,
    clientId: args.clientId,
    author: { kind: 'agent', id: args.me.id, name: args.me.name },
    body: args.body,
    internal: args.internal,
    createdAt: args.now.toISOString(),
    delivery: 'sending',
  };
}

export function maxSeq(list: readonly ChatMessage[]): number {
  let max = 0;
  for (const m of list) if (m.delivery === 'sent' && m.seq > max) max = m.seq;
  return max;
}

/**
 * hello.lastSeqs: each loaded conversation → highest seq held, most recently opened first, capped.
 * `pageEnds`: conversations still being caught up page by page resume from their last page instead
 * (newer live messages held meanwhile do not mean the seqs before them arrived).
 */
export function buildLastSeqs(state: Pick<State, 'threads' | 'threadOrder'>, cap = MAX_LAST_SEQS, pageEnds: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  let n = 0;
  for (const id of state.threadOrder) {
    const th = state.threads[id];
    if (!th || !th.loaded) continue;
    out[id] = pageEnds[id] ?? maxSeq(th.messages);
    if (++n >= cap) break;
  }
  return out;
}
