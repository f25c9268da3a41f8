/**
 * The conversation list's unread markers (issue 20): set by a reply past the shopper's read mark,
 * live; cleared when the conversation is opened (and seen), or when another of the shopper's devices
 * read it; never brought back by an older copy from the server. Frames about a conversation name it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReconnectingSocketOptions } from '../../../clients/js/src/reconnectingSocket.js';
import type { ConversationView, MessageView } from '../../../protocol/records.js';
import type { VisitorServerFrame } from '../../../protocol/realtime.js';
import { ChatClient, type SocketLike } from './chat.js';
import { hasUnreadReply, withVisitorRead } from './unreadMarks.js';

const msg = (conversationId: string, seq: number, kind: 'agent' | 'visitor' | 'system' = 'agent'): MessageView => ({
  id: `${conversationId}-m${seq}`,
  conversationId,
  seq,
  clientId: `cl-${conversationId}-${seq}`,
  author: { kind, id: kind === 'visitor' ? 'v1' : 'a1', name: kind === 'visitor' ? 'Ada' : 'Sam' },
  body: `${conversationId} says ${seq}`,
  internal: false,
  createdAt: `2026-01-01T10:00:${String(seq).padStart(2, '0')}.000Z`,
});

const conv = (id: string, last: MessageView | null, visitorRead: number): ConversationView => ({
  id,
  status: 'open',
  visitor: { id: 'v1', name: 'Ada', email: null, currentPage: null, userAgent: null, createdAt: '2026-01-01T09:00:00.000Z' },
  assignee: null,
  lastSeq: last?.seq ?? 0,
  lastMessage: last,
  createdAt: '2026-01-01T09:00:00.000Z',
  updatedAt: last?.createdAt ?? '2026-01-01T09:00:00.000Z',
  receipts: { visitorDelivered: visitorRead, visitorRead, agentDelivered: 0, agentRead: 0 },
});

class FakeSocket implements SocketLike {
  notified: Array<Record<string, unknown>> = [];
  constructor(readonly opts: ReconnectingSocketOptions<VisitorServerFrame>) {}
  send() {}
  notify(frame: object) {
    this.notified.push(frame as Record<string, unknown>);
  }
  settle() {}
  close() {}
  reconnectNow() {}
  frame(f: VisitorServerFrame) {
    this.opts.onFrame(f);
  }
}

async function started() {
  let socket: FakeSocket | null = null;
  const fetch = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify({ token: 'tok', visitorId: 'v1' }), { status: 200 }));
  const client = new ChatClient({
    key: 'pk_demo',
    wsUrl: 'ws://x/ws/visitor',
    page: '',
    storage: { get: () => null, set: () => {}, remove: () => {} },
    fetch: fetch as unknown as typeof globalThis.fetch,
    socket: (opts) => (socket = new FakeSocket(opts)),
  });
  await client.start({});
  return { client, s: socket! as FakeSocket, fetch };
}

const unreadIds = (client: ChatClient) => client.getState().conversations.filter(hasUnreadReply).map((c) => c.id);
const receipts = (s: FakeSocket) => s.notified.filter((f) => f.type === 'receipt');

describe('unread markers of the conversation list', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('marks a conversation whose latest message is a reply past the read mark, never the shopper\'s own', () => {
    expect(hasUnreadReply(conv('c1', msg('c1', 3), 2))).toBe(true);
    expect(hasUnreadReply(conv('c1', msg('c1', 3, 'system'), 2))).toBe(true); // the bot
    expect(hasUnreadReply(conv('c1', msg('c1', 3), 3))).toBe(false);
    expect(hasUnreadReply(conv('c1', msg('c1', 3, 'visitor'), 0))).toBe(false);
    expect(hasUnreadReply(conv('c1', null, 0))).toBe(false);
    const list = [conv('c1', msg('c1', 3), 1)];
    expect(withVisitorRead(list, 'c1', 1)).toBe(list); // nothing moved: the same list
    expect(withVisitorRead(withVisitorRead(list, 'c1', 3), 'c1', 2)[0]!.receipts!.visitorRead).toBe(3); // never back
  });

  it('sets the marker live on a reply in another conversation and clears it when that one is opened', async () => {
    const { client, s } = await started();
    client.setOpen(true);
    s.frame({ type: 'ready', visitorId: 'v1', conversation: conv('c1', msg('c1', 1, 'visitor'), 0), messages: [msg('c1', 1, 'visitor')], conversations: [conv('c1', msg('c1', 1, 'visitor'), 0), conv('c2', msg('c2', 1, 'visitor'), 0)] });
    expect(unreadIds(client)).toEqual([]);
    // An agent answers in c2 while c1 is shown: c2 is marked; c1 stays as it was.
    s.frame({ type: 'message', message: msg('c2', 2) });
    expect(unreadIds(client)).toEqual(['c2']);
    // Its delivery receipt names c2 (not this browser's latest conversation).
    expect(receipts(s).filter((f) => f.conversationId === 'c2')).toEqual([{ type: 'receipt', conversationId: 'c2', deliveredSeq: 2 }]);
    // Opened: seen at once, the server told which conversation.
    client.openConversation('c2');
    expect(unreadIds(client)).toEqual([]);
    expect(receipts(s).at(-1)).toEqual({ type: 'receipt', conversationId: 'c2', readSeq: 2 });
  });

  it('keeps the marker on the shown conversation while the chat is closed, and clears it when the chat opens', async () => {
    const { client, s } = await started();
    s.frame({ type: 'ready', visitorId: 'v1', conversation: conv('c1', msg('c1', 1, 'visitor'), 0), messages: [msg('c1', 1, 'visitor')], conversations: [conv('c1', msg('c1', 1, 'visitor'), 0)] });
    s.frame({ type: 'message', message: msg('c1', 2) });
    expect(unreadIds(client)).toEqual(['c1']);
    client.setOpen(true);
    expect(unreadIds(client)).toEqual([]);
  });

  it('clears the marker when another device of the shopper read it, and an older server copy does not bring it back', async () => {
    const { client, s } = await started();
    client.setOpen(true);
    s.frame({ type: 'ready', visitorId: 'v1', conversation: conv('c1', msg('c1', 1, 'visitor'), 0), messages: [msg('c1', 1, 'visitor')], conversations: [conv('c1', msg('c1', 1, 'visitor'), 0), conv('c2', msg('c2', 4), 2)] });
    expect(unreadIds(client)).toEqual(['c2']);
    s.frame({ type: 'receipt', conversationId: 'c2', by: 'visitor', deliveredSeq: 4, readSeq: 4 });
    expect(unreadIds(client)).toEqual([]);
    s.frame({ type: 'conversation', conversation: conv('c2', msg('c2', 4), 2) });
    expect(unreadIds(client)).toEqual([]);
    // The agents' read receipt of another conversation does not touch the one shown.
    s.frame({ type: 'receipt', conversationId: 'c2', by: 'agent', deliveredSeq: 9, readSeq: 9 });
    expect(client.getState().agentRead).toBe(0);
  });

  it('names the conversation shown in typing and in the file upload, so another device\'s conversation gets them', async () => {
    const { client, s, fetch } = await started();
    s.frame({ type: 'ready', visitorId: 'v1', conversation: null, messages: [], conversations: [conv('c9', msg('c9', 1, 'visitor'), 0)] });
    client.openConversation('c9');
    client.typing();
    expect(s.notified.filter((f) => f.type === 'typing')).toEqual([{ type: 'typing', on: true, conversationId: 'c9' }]);
    fetch.mockResolvedValueOnce(new Response(JSON.stringify(msg('c9', 2, 'visitor')), { status: 201 }));
    const file = { name: 'receipt.png', size: 10, arrayBuffer: async () => new ArrayBuffer(10) };
    expect(await client.sendFile(file)).toBe('ok');
    expect(String(fetch.mock.calls.at(-1)![0])).toBe('/api/widget/attachments?name=receipt.png&conversationId=c9');
  });
});
