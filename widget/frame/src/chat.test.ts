import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE } from '../../../protocol/closeCodes.js';
import type { ReconnectingSocketOptions } from '../../../clients/js/src/reconnectingSocket.js';
import type { MessageView } from '../../../protocol/records.js';
import type { VisitorServerFrame } from '../../../protocol/realtime.js';
import { ChatClient, compileTenantPatterns, type KeyValue, type SocketLike } from './chat.js';
import { prechatFieldsOf } from './prechat.js';
import { parseHostOrigin } from './embed.js';
import { pickLang, DICTIONARIES, setLanguage, setPageLanguage, t } from './i18n.js';
import { mergeMessages } from './messages.js';
import { textOn, safeColor } from './theme.js';

const msg = (seq: number, over: Partial<MessageView> = {}): MessageView => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  clientId: `cl${seq}`,
  author: { kind: 'agent', id: 'a1', name: 'Sam' },
  body: `hello ${seq}`,
  internal: false,
  createdAt: `2025-01-01T10:00:${String(seq).padStart(2, '0')}.000Z`,
  ...over,
});

describe('mergeMessages', () => {
  it('dedupes by id, sorts by seq and drops internal notes', () => {
    const a = mergeMessages([], [msg(3), msg(1)]);
    const b = mergeMessages(a, [msg(2), msg(3), msg(4, { internal: true })]);
    expect(b.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('keeps conversations in the order they started', () => {
    const later = msg(1, { id: 'n1', conversationId: 'c2', createdAt: '2025-01-02T00:00:00.000Z' });
    const list = mergeMessages([], [later, msg(2), msg(1)]);
    expect(list.map((m) => m.id)).toEqual(['m1', 'm2', 'n1']);
  });
});

class FakeSocket implements SocketLike {
  sent: object[] = [];
  notified: object[] = [];
  settled: string[] = [];
  closed = false;
  reconnects = 0;
  constructor(readonly opts: ReconnectingSocketOptions<VisitorServerFrame>) {}
  send(frame: object) {
    this.sent.push(frame);
  }
  notify(frame: object) {
    this.notified.push(frame);
  }
  settle(id: string) {
    this.settled.push(id);
  }
  close() {
    this.closed = true;
  }
  reconnectNow() {
    this.reconnects++;
  }
  frame(f: VisitorServerFrame) {
    this.opts.onFrame(f);
  }
}

function memory(initial: Record<string, string> = {}): KeyValue & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, get: (k) => data.get(k) ?? null, set: (k, v) => void data.set(k, v), remove: (k) => void data.delete(k) };
}

function setup(stored: Record<string, string> = {}) {
  const sockets: FakeSocket[] = [];
  const storage = memory(stored);
  const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    return new Response(JSON.stringify({ token: body.token ?? 'tok-new', visitorId: 'v1' }), { status: 200 });
  });
  const client = new ChatClient({
    key: 'pk_demo',
    wsUrl: 'ws://x/ws/visitor',
    page: 'https://shop.example/checkout',
    storage,
    fetch: fetch as unknown as typeof globalThis.fetch,
    socket: (opts) => {
      const s = new FakeSocket(opts);
      sockets.push(s);
      return s;
    },
  });
  return { client, sockets, storage, fetch };
}

describe('ChatClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the page context (redacted, JWT untouched) and the widget language with the session, and a new context during the chat', async () => {
    const { client, fetch } = setup();
    client.setPageContext({ page: 'checkout', attributes: { note: 'card 4111 1111 1111 1111', cart: '3' }, signed: 'aGVhZA.Ym9keQ.c2ln' });
    await client.start({});
    const body = JSON.parse(String(fetch.mock.calls[0]![1]!.body));
    expect(body.context.page).toBe('checkout');
    expect(body.context.signed).toBe('aGVhZA.Ym9keQ.c2ln');
    expect(body.context.attributes.cart).toBe('3');
    expect(body.context.attributes.note).not.toContain('4111 1111 1111 1111');
    client.setPageContext({ page: 'checkout', attributes: { note: 'card 4111 1111 1111 1111', cart: '3' }, signed: 'aGVhZA.Ym9keQ.c2ln' });
    expect(fetch).toHaveBeenCalledTimes(1); // unchanged: not sent again
    client.setPageContext({ page: 'shipping', attributes: {} });
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    expect(fetch.mock.calls[1]![0]).toBe('/api/widget/context');
    expect(JSON.parse(String(fetch.mock.calls[1]![1]!.body))).toEqual({ context: { page: 'shipping', attributes: {} } });
    expect((fetch.mock.calls[1]![1]!.headers as Record<string, string>).authorization).toBe('Bearer tok-new');
  });

  it('creates a session from the form, stores the token and says hello', async () => {
    const { client, sockets, storage, fetch } = setup();
    expect(client.hasStoredToken()).toBe(false);
    await client.start({ name: ' Ada ', email: 'ada@example.com' });
    expect(JSON.parse(String(fetch.mock.calls[0]![1]!.body))).toEqual({
      key: 'pk_demo',
      name: 'Ada',
      email: 'ada@example.com',
      page: 'https://shop.example/checkout',
    });
    expect(storage.data.get('parley:pk_demo')).toBe('tok-new');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.opts.hello()).toEqual({ type: 'hello', token: 'tok-new', lastSeq: 0 });
    expect(client.getState().session).toBe('active');
  });

  it('resumes with a stored token and sends the highest seq seen in hello', async () => {
    const { client, sockets, fetch } = setup({ 'parley:pk_demo': 'tok-old' });
    await client.resume();
    expect(JSON.parse(String(fetch.mock.calls[0]![1]!.body)).token).toBe('tok-old');
    const s = sockets[0]!;
    s.frame({ type: 'ready', visitorId: 'v1', conversation: null, messages: [msg(1), msg(2)] });
    s.frame({ type: 'message', message: msg(3) });
    s.frame({ type: 'message', message: msg(3) });
    expect(client.getState().messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(s.opts.hello()).toEqual({ type: 'hello', token: 'tok-old', lastSeq: 3 });
  });

  it('redacts outgoing text, tracks delivery and dedupes the ack with the echo', async () => {
    const { client, sockets } = setup();
    await client.start({});
    const s = sockets[0]!;
    const r = client.send('my card 4242 4242 4242 4242 cvc 123');
    expect(r).toEqual({ ok: true, redacted: 2 });
    const frame = s.sent[0] as { clientId: string; body: string };
    expect(frame.body).toBe('my card [card •••• 4242] cvc [cvc •••]');
    expect(client.getState().redactedNote).toBe(true);
    expect(client.getState().outbox[0]!.state).toBe('sending');
    const stored = msg(1, { clientId: frame.clientId, author: { kind: 'visitor', id: 'v1', name: 'Ada' }, body: frame.body });
    s.frame({ type: 'ack', clientId: frame.clientId, message: stored });
    s.frame({ type: 'message', message: stored });
    expect(client.getState().outbox).toEqual([]);
    expect(client.getState().messages).toHaveLength(1);
    expect(client.send('hello').ok).toBe(true);
    expect(client.getState().redactedNote).toBe(false);
  });

  it('applies the tenant’s redaction patterns before sending, skipping bad or oversized ones', async () => {
    const { client, sockets } = setup();
    client.setRedactionPatterns(['ORD-\\d{6}', '([unclosed', 'x'.repeat(201), 42, 'secret-[a-z]+']);
    await client.start({});
    const r = client.send('order ORD-123456 and secret-sauce, card 4242 4242 4242 4242');
    expect(r).toEqual({ ok: true, redacted: 3 });
    expect((sockets[0]!.sent[0] as { body: string }).body).toBe('order [redacted] and [redacted], card [card •••• 4242]');
    expect(client.getState().redactedNote).toBe(true);
    expect(client.getState().outbox[0]!.body).not.toContain('ORD-123456');
  });

  it('compiles at most 20 tenant patterns and ignores anything that is not a list', () => {
    expect(compileTenantPatterns(Array.from({ length: 30 }, (_, i) => `p${i}`))).toHaveLength(20);
    expect(compileTenantPatterns('ORD-\\d+')).toEqual([]);
    expect(compileTenantPatterns(undefined)).toEqual([]);
  });

  it('shows only the admin’s pre-chat fields, in their order, once each', () => {
    expect(prechatFieldsOf({})).toEqual([
      { field: 'name', required: false },
      { field: 'email', required: false },
    ]);
    expect(
      prechatFieldsOf({
        prechatFields: [
          { field: 'orderNumber', required: true },
          { field: 'bogus', required: false },
          { field: 'email', required: false },
          { field: 'orderNumber', required: false },
        ],
      }),
    ).toEqual([
      { field: 'orderNumber', required: true },
      { field: 'email', required: false },
    ]);
    expect(prechatFieldsOf({ prechatFields: [] })).toEqual([]);
  });

  it('uses the tenant’s widget language, or the browser’s for auto', () => {
    expect(setLanguage('fr')).toBe('fr');
    expect(t.startChat).toBe(DICTIONARIES.fr.startChat);
    expect(setLanguage('auto')).toBe(pickLang(typeof navigator === 'undefined' ? [] : [navigator.language]));
    expect(setLanguage('xx')).toBe(pickLang(typeof navigator === 'undefined' ? [] : [navigator.language]));
    expect(setLanguage('en')).toBe('en');
    expect(t.startChat).toBe(DICTIONARIES.en.startChat);
  });

  it('speaks the host page\'s language when the page says so (data-parley-lang), whatever the tenant set', () => {
    expect(setPageLanguage('fr-CA')).toBe('fr');
    expect(setLanguage('en')).toBe('fr');
    expect(t.startChat).toBe(DICTIONARIES.fr.startChat);
    expect(setPageLanguage('de')).toBe(null); // unsupported: the tenant's setting again
    expect(setPageLanguage('toString')).toBe(null);
    expect(setLanguage('en')).toBe('en');
    expect(setPageLanguage('')).toBe(null);
  });

  it('marks a rejected send failed and retries it with the same clientId', async () => {
    const { client, sockets } = setup();
    await client.start({});
    const s = sockets[0]!;
    client.send('hi');
    const { clientId } = s.sent[0] as { clientId: string };
    s.frame({ type: 'error', code: 'conversation_closed', message: 'closed', clientId });
    expect(s.settled).toContain(clientId);
    expect(client.getState().outbox[0]!.state).toBe('failed');
    client.retry(clientId);
    expect((s.sent[1] as { clientId: string }).clientId).toBe(clientId);
    expect(client.getState().outbox[0]!.state).toBe('sending');
  });

  it('keeps a send refused for a passing reason (unavailable, storage_full) as sending: the socket retries it in order', async () => {
    const { client, sockets } = setup();
    await client.start({});
    const s = sockets[0]!;
    client.send('first');
    client.send('second');
    const [first] = s.sent as Array<{ clientId: string }>;
    for (const code of ['unavailable', 'storage_full', 'rate_limited']) {
      s.frame({ type: 'error', code, message: 'later', clientId: first!.clientId });
      expect(s.settled).not.toContain(first!.clientId);
      expect(client.getState().outbox.map((o) => o.state)).toEqual(['sending', 'sending']);
    }
  });

  it('pages through missed messages (ready/history say more) and resumes from the last page after a drop, not from newer live messages', async () => {
    const { client, sockets } = setup({ 'parley:pk_demo': 'tok-old' });
    await client.resume();
    const s = sockets[0]!;
    const conv = { id: 'c1', lastSeq: 500 } as never;
    const page = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
    s.frame({ type: 'ready', visitorId: 'v1', conversation: conv, messages: page(1, 200), more: true });
    expect(s.notified).toContainEqual({ type: 'history', conversationId: 'c1', afterSeq: 200 });
    // A live message arrives while the hole 201..499 is being filled; then the socket drops.
    s.frame({ type: 'message', message: msg(500) });
    expect(s.opts.hello()).toMatchObject({ lastSeq: 200 });
    s.frame({ type: 'history', conversationId: 'c1', messages: page(201, 400), more: true });
    expect(s.notified).toContainEqual({ type: 'history', conversationId: 'c1', afterSeq: 400 });
    expect(s.opts.hello()).toMatchObject({ lastSeq: 400 });
    s.frame({ type: 'history', conversationId: 'c1', messages: page(401, 499), more: false });
    expect(client.getState().messages.map((m) => m.seq)).toEqual(page(1, 500).map((m) => m.seq));
    expect(s.opts.hello()).toMatchObject({ lastSeq: 500 });
    expect(s.notified.filter((f) => (f as { type: string }).type === 'history')).toHaveLength(2);
  });

  it('rejects empty and too long messages', async () => {
    const { client } = setup();
    expect(client.send('hi')).toEqual({ ok: false, reason: 'noSession' });
    await client.start({});
    expect(client.send('   ')).toEqual({ ok: false, reason: 'empty' });
    expect(client.send('x'.repeat(4001))).toEqual({ ok: false, reason: 'tooLong' });
  });

  it('throttles typing and turns it off after 3 s idle or on send', async () => {
    const { client, sockets } = setup();
    await client.start({});
    const s = sockets[0]!;
    client.typing();
    client.typing();
    client.typing();
    expect(s.notified).toEqual([{ type: 'typing', on: true }]);
    vi.advanceTimersByTime(3000);
    expect(s.notified).toEqual([
      { type: 'typing', on: true },
      { type: 'typing', on: false },
    ]);
    client.typing();
    client.send('x');
    expect(s.notified.slice(-2)).toEqual([
      { type: 'typing', on: true },
      { type: 'typing', on: false },
    ]);
  });

  it('shows agent typing, ignores visitor typing and internal notes, counts unread while closed', async () => {
    const { client, sockets } = setup();
    await client.start({});
    const s = sockets[0]!;
    s.frame({ type: 'typing', conversationId: 'c1', from: 'visitor', on: true });
    expect(client.getState().agentTyping).toBe(false);
    s.frame({ type: 'typing', conversationId: 'c1', from: 'agent', on: true });
    expect(client.getState().agentTyping).toBe(true);
    s.frame({ type: 'message', message: msg(1) });
    expect(client.getState().agentTyping).toBe(false);
    s.frame({ type: 'message', message: msg(2, { internal: true }) });
    expect(client.getState().messages).toHaveLength(1);
    expect(client.getState().unread).toBe(1);
    client.setOpen(true);
    expect(client.getState().unread).toBe(0);
  });

  it('resyncs from zero when the open conversation changed while away', async () => {
    const { client, sockets } = setup();
    await client.start({});
    const s = sockets[0]!;
    const conv = (id: string) => ({ id, lastSeq: 1 }) as never;
    s.frame({ type: 'ready', visitorId: 'v1', conversation: conv('c1'), messages: [msg(1), msg(2)] });
    expect(s.opts.hello()).toMatchObject({ lastSeq: 2 });
    s.frame({ type: 'ready', visitorId: 'v1', conversation: conv('c2'), messages: [] });
    expect(s.reconnects).toBe(1);
    expect(s.opts.hello()).toMatchObject({ lastSeq: 0 });
  });

  it('asks for a new session after an unauthorized close', async () => {
    const { client, sockets, fetch } = setup();
    await client.start({});
    sockets[0]!.opts.onState?.('closed', CLOSE.UNAUTHORIZED);
    await vi.runAllTimersAsync();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(sockets).toHaveLength(2);
  });
});

describe('frame helpers', () => {
  it('accepts only exact http(s) origins as host', () => {
    expect(parseHostOrigin('https://shop.example')).toBe('https://shop.example');
    expect(parseHostOrigin('http://localhost:8080')).toBe('http://localhost:8080');
    for (const bad of [null, '', '*', 'https://shop.example/', 'https://shop.example/path', 'javascript:alert(1)', 'null'])
      expect(parseHostOrigin(bad)).toBeNull();
  });

  it('picks a supported language', () => {
    expect(pickLang(['fr-CA', 'en'])).toBe('fr');
    expect(pickLang(['de-DE'])).toBe('en');
  });

  it('has every English string in French', () => {
    expect(Object.keys(DICTIONARIES.fr).sort()).toEqual(Object.keys(DICTIONARIES.en).sort());
  });

  it('validates brand colours and picks readable text', () => {
    expect(safeColor('#10b981')).toBe('#10b981');
    expect(safeColor('red; background:url(x)')).toBe('#2563eb');
    expect(textOn('#1d4ed8')).toBe('#ffffff');
    expect(textOn('#fde047')).toBe('#111827');
  });
});
