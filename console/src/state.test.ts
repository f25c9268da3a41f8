import { describe, expect, it } from 'vitest';
import type { ConversationView, MessageView } from '../../protocol/records.js';
import {
  buildLastSeqs,
  conversationsIn,
  inTab,
  initialState,
  maxSeq,
  mergeConversation,
  mergeMessages,
  pendingMessage,
  reducer,
  tabSummary,
  type Action,
  type State,
} from './state.js';

const ME = 'agent-me';
let clock = Date.parse('2025-01-01T10:00:00Z');
const iso = (offsetSec = 0) => new Date(clock + offsetSec * 1000).toISOString();

function conv(id: string, over: Partial<ConversationView> = {}): ConversationView {
  return {
    id,
    status: 'open',
    visitor: { id: `v-${id}`, name: null, email: null, currentPage: null, userAgent: null, createdAt: iso() },
    assignee: null,
    lastSeq: 0,
    lastMessage: null,
    createdAt: iso(),
    updatedAt: iso(),
    ...over,
  };
}

function msg(conversationId: string, seq: number, over: Partial<MessageView> = {}): MessageView {
  return {
    id: `${conversationId}-m${seq}`,
    conversationId,
    seq,
    clientId: `c-${conversationId}-${seq}`,
    author: { kind: 'visitor', id: null, name: 'Visitor' },
    body: `hello ${seq}`,
    internal: false,
    createdAt: iso(seq),
    ...over,
  };
}

const run = (s: State, ...actions: Action[]) => actions.reduce(reducer, s);
const list = (items: ConversationView[], over: Partial<Extract<Action, { type: 'list' }>> = {}): Action => ({
  type: 'list',
  tab: 'all',
  status: 'open',
  items,
  nextCursor: null,
  replace: true,
  since: 0,
  ...over,
});

describe('tab membership', () => {
  it('puts open unassigned conversations in Unassigned and All', () => {
    const c = conv('a');
    expect(inTab(c, 'unassigned', 'open', ME)).toBe(true);
    expect(inTab(c, 'mine', 'open', ME)).toBe(false);
    expect(inTab(c, 'all', 'open', ME)).toBe(true);
    expect(inTab(c, 'all', 'resolved', ME)).toBe(false);
  });

  it('puts conversations assigned to me in Mine, others only in All', () => {
    const mine = conv('a', { assignee: { id: ME, name: 'Me' } });
    const theirs = conv('b', { assignee: { id: 'other', name: 'Other' } });
    expect(inTab(mine, 'mine', 'open', ME)).toBe(true);
    expect(inTab(mine, 'unassigned', 'open', ME)).toBe(false);
    expect(inTab(theirs, 'mine', 'open', ME)).toBe(false);
    expect(inTab(theirs, 'unassigned', 'open', ME)).toBe(false);
    expect(inTab(theirs, 'all', 'open', ME)).toBe(true);
  });

  it('moves a conversation between tabs when a conversation event changes its assignee or status', () => {
    let s = run(initialState(ME), { type: 'conversation', conversation: conv('a') });
    expect(tabSummary(s, 'unassigned').count).toBe(1);
    s = run(s, { type: 'conversation', conversation: conv('a', { assignee: { id: ME, name: 'Me' }, updatedAt: iso(5) }) });
    expect(tabSummary(s, 'unassigned').count).toBe(0);
    expect(tabSummary(s, 'mine').count).toBe(1);
    s = run(s, { type: 'conversation', conversation: conv('a', { assignee: { id: ME, name: 'Me' }, status: 'resolved', updatedAt: iso(9) }) });
    expect(tabSummary(s, 'mine').count).toBe(0);
    expect(tabSummary(s, 'mine', 'resolved').count).toBe(1);
  });

  it('sorts by newest activity first', () => {
    const s = run(initialState(ME), list([conv('old', { updatedAt: iso(1) }), conv('new', { updatedAt: iso(50) }), conv('mid', { updatedAt: iso(20) })]));
    expect(conversationsIn(s, 'all', 'open').map((c) => c.id)).toEqual(['new', 'mid', 'old']);
  });
});

describe('mergeConversation', () => {
  it('ignores an older copy for status/assignee but never rolls lastSeq back', () => {
    const fresh = conv('a', { status: 'resolved', updatedAt: iso(10), lastSeq: 3, lastMessage: msg('a', 3) });
    const stale = conv('a', { status: 'open', updatedAt: iso(5), lastSeq: 4, lastMessage: msg('a', 4) });
    const merged = mergeConversation(fresh, stale);
    expect(merged.status).toBe('resolved');
    expect(merged.lastSeq).toBe(4);
    expect(merged.lastMessage?.seq).toBe(4);
  });
});

describe('mergeMessages', () => {
  it('dedupes by id and keeps seq order', () => {
    const a = mergeMessages([], [msg('c', 2), msg('c', 1)]);
    const b = mergeMessages(a, [msg('c', 1), msg('c', 3), msg('c', 2)]);
    expect(b.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(mergeMessages(b, [msg('c', 3)])).toBe(b);
  });

  it('replaces a pending message with its acknowledged copy and keeps other pending ones last', () => {
    const p1 = pendingMessage({ clientId: 'x1', conversationId: 'c', body: 'hi', internal: false, me: { id: ME, name: 'Me' }, now: new Date(clock) });
    const p2 = pendingMessage({ clientId: 'x2', conversationId: 'c', body: 'there', internal: false, me: { id: ME, name: 'Me' }, now: new Date(clock) });
    let l = mergeMessages([], [msg('c', 1)]);
    l = [...l, p1, p2];
    const acked = msg('c', 2, { clientId: 'x1', author: { kind: 'agent', id: ME, name: 'Me' }, body: 'hi' });
    l = mergeMessages(l, [acked]);
    expect(l.map((m) => [m.id, m.delivery])).toEqual([
      ['c-m1', 'sent'],
      ['c-m2', 'sent'],
      ['local:x2', 'sending'],
    ]);
    // The same message arriving again (message event after ack) changes nothing.
    expect(mergeMessages(l, [acked])).toBe(l);
    expect(maxSeq(l)).toBe(2);
  });
});

describe('reducer: realtime', () => {
  it('applies a transfer whose own system message arrived first (the server moves updatedAt for messages once a second)', () => {
    let s = run(initialState(ME), list([conv('t', { assignee: { id: ME, name: 'Me' }, updatedAt: iso(0), lastSeq: 1, lastMessage: msg('t', 1) })]));
    // The transfer at +5 s; its system message is stamped a moment later and is delivered first.
    const note = msg('t', 2, { author: { kind: 'system', id: 'system', name: 'Parley' }, createdAt: iso(5.001) });
    s = run(s, { type: 'messages', messages: [note] }, { type: 'conversation', conversation: conv('t', { assignee: { id: 'sam', name: 'Sam Lee' }, updatedAt: iso(5), lastSeq: 2, lastMessage: note }) });
    expect(s.conversations.t!.assignee?.name).toBe('Sam Lee');
  });

  it('appends a message to a loaded thread once, whatever frame it arrives in', () => {
    let s = run(
      initialState(ME),
      list([conv('a', { lastSeq: 1, lastMessage: msg('a', 1) })]),
      { type: 'open', id: 'a' },
      { type: 'history', conversationId: 'a', messages: [msg('a', 1)], complete: true },
    );
    const m2 = msg('a', 2);
    s = run(s, { type: 'messages', messages: [m2] }, { type: 'messages', messages: [m2] }, { type: 'messages', messages: [msg('a', 1), m2] });
    expect(s.threads.a!.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(s.conversations.a!.lastSeq).toBe(2);
    expect(s.unread.a).toBeUndefined();
    expect(s.readSeq.a).toBe(2);
  });

  it('counts unread visitor messages for conversations that are not open, once each', () => {
    let s = run(initialState(ME), list([conv('a'), conv('b')]), { type: 'open', id: 'a' });
    s = run(s, { type: 'messages', messages: [msg('b', 1)] }, { type: 'messages', messages: [msg('b', 1)] }, { type: 'messages', messages: [msg('b', 2)] });
    expect(s.unread.b).toBe(2);
    expect(s.conversations.b!.lastMessage?.body).toBe('hello 2');
    // Agent messages and notes are not unread.
    s = run(s, { type: 'messages', messages: [msg('b', 3, { author: { kind: 'agent', id: 'x', name: 'X' } })] });
    expect(s.unread.b).toBe(2);
    expect(tabSummary(s, 'all').unread).toBe(1);
    s = run(s, { type: 'open', id: 'b' });
    expect(s.unread.b).toBeUndefined();
    expect(s.readSeq.b).toBe(3);
  });

  it('counts a new conversation\'s first message even when its conversation event already carried lastSeq', () => {
    let s = run(initialState(ME), { type: 'conversation', conversation: conv('n', { lastSeq: 1, lastMessage: msg('n', 1) }) });
    s = run(s, { type: 'messages', messages: [msg('n', 1)] }, { type: 'messages', messages: [msg('n', 2)] }, { type: 'messages', messages: [msg('n', 2)] });
    expect(s.unread.n).toBe(2);
  });

  it('does not count a visitor message the list already counted', () => {
    let s = run(initialState(ME), list([conv('a', { lastSeq: 2, lastMessage: msg('a', 2) })]));
    expect(s.unread.a).toBe(1);
    s = run(s, { type: 'messages', messages: [msg('a', 2)] }, { type: 'messages', messages: [msg('a', 3)] });
    expect(s.unread.a).toBe(2);
  });

  it('marks a list item unread when the visitor spoke last after what the agent read', () => {
    const s = run(
      { ...initialState(ME, { b: 2 }) },
      list([conv('a', { lastSeq: 2, lastMessage: msg('a', 2) }), conv('b', { lastSeq: 2, lastMessage: msg('b', 2) })]),
    );
    expect(s.unread.a).toBe(1);
    expect(s.unread.b).toBeUndefined();
  });

  it('marks a pending send failed on a final error and a typing indicator expires', () => {
    const p = pendingMessage({ clientId: 'x1', conversationId: 'a', body: 'hi', internal: true, me: { id: ME, name: 'Me' }, now: new Date(clock) });
    let s = run(initialState(ME), { type: 'pending', message: p }, { type: 'sendFailed', clientId: 'x1', code: 'conversation_closed' });
    expect(s.threads.a!.messages[0]!.delivery).toBe('failed');
    expect(s.threads.a!.messages[0]!.failure).toBe('conversation_closed');
    s = run(s, { type: 'typing', conversationId: 'a', on: true, now: 1000 });
    expect(s.typing.a).toBeGreaterThan(1000);
    s = run(s, { type: 'tick', now: 1000 + 60_000 });
    expect(s.typing.a).toBeUndefined();
  });

  it('a visitor message clears their typing indicator', () => {
    const s = run(initialState(ME), list([conv('a')]), { type: 'typing', conversationId: 'a', on: true, now: Date.now() }, { type: 'messages', messages: [msg('a', 1)] });
    expect(s.typing.a).toBeUndefined();
  });
});

describe('reducer: list refresh after reconnect', () => {
  it('drops rows a complete first page no longer contains, but keeps ones changed by newer events', () => {
    let s = run(initialState(ME), list([conv('a'), conv('b'), conv('c')]));
    const since = s.eventSeq;
    // c gets a realtime update while the refresh request is in flight.
    s = run(s, { type: 'conversation', conversation: conv('c', { updatedAt: iso(3) }) });
    s = run(s, list([conv('a')], { since }));
    expect(Object.keys(s.conversations).sort()).toEqual(['a', 'c']);
  });

  it('keeps rows when the page is not the last one', () => {
    let s = run(initialState(ME), list([conv('a'), conv('b')]));
    s = run(s, list([conv('a')], { nextCursor: 'next' }));
    expect(Object.keys(s.conversations).sort()).toEqual(['a', 'b']);
    expect(tabSummary(s, 'all').more).toBe(true);
  });
});

describe('buildLastSeqs', () => {
  it('maps loaded conversations to their highest seq, most recent first, capped', () => {
    let s = initialState(ME);
    for (let i = 0; i < 120; i++) {
      s = run(s, { type: 'open', id: `c${i}` }, { type: 'history', conversationId: `c${i}`, messages: [msg(`c${i}`, 1), msg(`c${i}`, 2)], complete: true });
    }
    const p = pendingMessage({ clientId: 'x', conversationId: 'c119', body: 'p', internal: false, me: { id: ME, name: 'Me' }, now: new Date(clock) });
    s = run(s, { type: 'pending', message: p });
    const seqs = buildLastSeqs(s);
    expect(Object.keys(seqs)).toHaveLength(100);
    expect(seqs.c119).toBe(2);
    expect(seqs.c0).toBeUndefined();
  });

  it('resumes a conversation still being caught up page by page from its last page, not from newer live messages', () => {
    let s = initialState(ME);
    s = run(s, { type: 'open', id: 'c1' }, { type: 'history', conversationId: 'c1', messages: [msg('c1', 1), msg('c1', 2)], complete: true });
    s = run(s, { type: 'messages', messages: [msg('c1', 900)] });
    expect(buildLastSeqs(s)).toEqual({ c1: 900 });
    expect(buildLastSeqs(s, undefined, { c1: 2, other: 5 })).toEqual({ c1: 2 });
  });
});
