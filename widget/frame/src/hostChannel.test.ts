import { describe, expect, it } from 'vitest';
import { EMBED_MARK } from '../../../protocol/embed.js';
import { HostChannel, isHandover, parsePageContext } from './hostChannel.js';

const HOST = 'https://shop.example';

/** A window stand-in with a real MessageChannel: what the frame sees of its parent and its events. */
function fakeWindow() {
  const listeners = new Set<(e: MessageEvent) => void>();
  const parent = {};
  const win = {
    parent,
    addEventListener: (_: string, fn: (e: MessageEvent) => void) => listeners.add(fn),
    removeEventListener: (_: string, fn: (e: MessageEvent) => void) => listeners.delete(fn),
  };
  const deliver = (e: Partial<MessageEvent>) => [...listeners].forEach((fn) => fn({ ports: [], ...e } as MessageEvent));
  return { win: win as unknown as Window, parent, deliver, listening: () => listeners.size };
}
const tick = () => new Promise((r) => setTimeout(r, 10));

describe('hostChannel', () => {
  it('accepts the port only from the parent, at the exact host origin, with the mark, once', async () => {
    const { win, parent, deliver, listening } = fakeWindow();
    const link = new HostChannel(HOST, win);
    const opened: boolean[] = [];
    link.subscribe((o) => opened.push(o));
    const forged = new MessageChannel();
    deliver({ origin: 'https://evil.example', source: parent as MessageEventSource, data: EMBED_MARK, ports: [forged.port2] });
    deliver({ origin: HOST, source: {} as MessageEventSource, data: EMBED_MARK, ports: [forged.port2] });
    deliver({ origin: HOST, source: parent as MessageEventSource, data: 'parley/2', ports: [forged.port2] });
    forged.port1.postMessage('open');
    await tick();
    expect(opened).toEqual([]);
    const real = new MessageChannel();
    deliver({ origin: HOST, source: parent as MessageEventSource, data: EMBED_MARK, ports: [real.port2] });
    expect(listening()).toBe(0); // no window 'message' listener any more
    real.port1.postMessage('open');
    await tick();
    expect(opened).toEqual([true]);
    const got: unknown[] = [];
    real.port1.onmessage = (e) => got.push(e.data);
    link.reportUnread(2.7);
    link.reportUnread(2);
    link.requestClose();
    await tick();
    expect(got).toEqual([2, 'close']);
    real.port1.close();
    forged.port1.close();
  });

  it('asks the loader to open an attachment, only a path of the attachment route, and says when there is no loader', async () => {
    const { win, parent, deliver } = fakeWindow();
    const link = new HostChannel(HOST, win);
    const file = '/files/att_Ab12/AbCdEfGhIjKl_-0123';
    expect(link.openFile(file)).toBe(false); // no port yet: the link's own download stays
    const real = new MessageChannel();
    deliver({ origin: HOST, source: parent as MessageEventSource, data: EMBED_MARK, ports: [real.port2] });
    const got: unknown[] = [];
    real.port1.onmessage = (e) => got.push(e.data);
    expect(link.openFile('https://evil.example' + file)).toBe(false);
    expect(link.openFile('/api/widget/config')).toBe(false);
    expect(link.openFile(file)).toBe(true);
    await tick();
    expect(got).toEqual([file]);
    real.port1.close();
  });

  it('isHandover wants every condition', () => {
    const parent = {};
    const ports = [new MessageChannel().port1];
    expect(isHandover({ origin: HOST, source: parent as MessageEventSource, data: EMBED_MARK, ports }, HOST, parent)).toBe(true);
    expect(isHandover({ origin: HOST + ':443', source: parent as MessageEventSource, data: EMBED_MARK, ports }, HOST, parent)).toBe(false);
    expect(isHandover({ origin: HOST, source: parent as MessageEventSource, data: EMBED_MARK, ports: [] }, HOST, parent)).toBe(false);
    ports[0]!.close();
  });

  it('keeps only a string page name and trimmed string attributes', () => {
    expect(parsePageContext(['checkout', { step: 'payment', n: 2, ok: true, fn: () => 1, nested: { a: 1 } }])).toEqual({
      page: 'checkout',
      attributes: { step: 'payment', n: '2', ok: 'true' },
    });
    expect(parsePageContext([{}, {}])).toBeNull();
    expect(parsePageContext('open')).toBeNull();
    expect(parsePageContext(['x'.repeat(500)])!.page).toHaveLength(100);
    // A signed context (HS256 JWT from the tenant's backend) is kept as given; anything else in that place is dropped.
    expect(parsePageContext(['checkout', {}, 'aGVhZA.Ym9keQ.c2ln'])).toEqual({ page: 'checkout', attributes: {}, signed: 'aGVhZA.Ym9keQ.c2ln' });
    expect(parsePageContext(['checkout', {}, '<script>'])).toEqual({ page: 'checkout', attributes: {} });
    expect(parsePageContext(['checkout', {}, { jwt: 'a.b.c' }])).toEqual({ page: 'checkout', attributes: {} });
  });

  it('hands every new page context to its watchers (and the current one at once)', async () => {
    const { win, parent, deliver } = fakeWindow();
    const link = new HostChannel(HOST, win);
    const real = new MessageChannel();
    deliver({ origin: HOST, source: parent as MessageEventSource, data: EMBED_MARK, ports: [real.port2] });
    real.port1.postMessage(['cart', { items: 2 }]);
    await tick();
    const seen: unknown[] = [];
    link.watchContext((c) => seen.push(c));
    real.port1.postMessage(['checkout', { step: 'pay' }, 'a.b.c']);
    real.port1.postMessage('not a context');
    await tick();
    expect(seen).toEqual([
      { page: 'cart', attributes: { items: '2' } },
      { page: 'checkout', attributes: { step: 'pay' }, signed: 'a.b.c' },
    ]);
    real.port1.close();
  });

  it('passes a proactive message on as [text] (never a bare string that could read as close), ahead of the unread count, also when set before the port came', async () => {
    const { win, parent, deliver } = fakeWindow();
    const link = new HostChannel(HOST, win);
    link.showBubble('Need help?');
    const real = new MessageChannel();
    const got: unknown[] = [];
    real.port1.onmessage = (e) => got.push(e.data);
    deliver({ origin: HOST, source: parent as MessageEventSource, data: EMBED_MARK, ports: [real.port2] });
    link.showBubble('Need help?');
    link.reportUnread(2);
    link.showBubble('close');
    link.showBubble('');
    await tick();
    expect(got).toEqual([['— Need help?'], ['— Need help?'], ['— close'], 2]);
    real.port1.close();
  });
});
