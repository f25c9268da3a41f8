import { afterEach, describe, expect, it } from 'vitest';
import { redactField } from '../../../protocol/redaction.js';
import type { MessageView } from '../../../protocol/records.js';
import type { KeyValue } from './chat.js';
import { KEEP_SHOWN_MS, ProactiveClient } from './proactive.js';

function memory(): KeyValue & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: (k) => map.get(k) ?? null, set: (k, v) => void map.set(k, v), remove: (k) => void map.delete(k) };
}

type Call = { url: string; body: Record<string, unknown>; auth: string | null };

function harness(answers: Array<Record<string, unknown>>, opts: { token?: string | null; storage?: KeyValue & { map: Map<string, string> }; now?: () => number } = {}) {
  const calls: Call[] = [];
  const storage = opts.storage ?? memory();
  let token = opts.token ?? null;
  const fetch = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ url, body: JSON.parse(String(init.body)), auth: headers.authorization ?? null });
    const answer = url === '/api/widget/proactive' ? (answers.shift() ?? { message: null, retryInSeconds: null }) : null;
    return { ok: true, json: async () => answer } as Response;
  }) as unknown as typeof globalThis.fetch;
  const client = new ProactiveClient({
    key: 'pk_demo',
    storage,
    fetch,
    token: () => token,
    redact: (s) => redactField(s),
    firstAskMs: 3_600_000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  clients.push(client);
  return { client, calls, storage, setToken: (t: string) => (token = t) };
}
const clients: ProactiveClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.stop()));

const SHOWN_AT = '2026-12-06T21:00:00.000Z';
const shownAnswer = { message: { deliveryId: 'pmd_1', text: 'Need help choosing a size?', shownAt: SHOWN_AT }, retryInSeconds: null };
const message = (kind: 'visitor' | 'agent', createdAt: string) => ({ id: `m-${createdAt}`, author: { kind }, createdAt }) as unknown as MessageView;

describe('proactive messages in the frame', () => {
  it('asks with the page context (redacted), a kept browser key and the seconds on the page, and shows the answer', async () => {
    let now = 1_000_000;
    const { client, calls, storage } = harness([shownAnswer], { now: () => now });
    const seen: Array<string | null> = [];
    client.subscribe((m) => seen.push(m?.text ?? null));
    now += 42_500;
    client.setContext({ page: 'checkout', attributes: { note: 'card 4111 1111 1111 1111' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toHaveLength(1);
    const body = calls[0]!.body as { key: string; visitorKey: string; secondsOnPage: number; context: { page: string; attributes: Record<string, string> } };
    expect(body.key).toBe('pk_demo');
    expect(body.secondsOnPage).toBe(42);
    expect(body.context.page).toBe('checkout');
    expect(body.context.attributes.note).not.toContain('4111 1111 1111 1111');
    expect(body.visitorKey).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(storage.get('parley:pk_demo:vk')).toBe(body.visitorKey);
    expect(seen).toEqual(['Need help choosing a size?']);
    // Shown: no more asks, even when the page names another page.
    client.setContext({ page: 'cart', attributes: {} });
    await client.ask();
    expect(calls).toHaveLength(1);
  });

  it('reports opened once when the chat opens, and replied once the visitor’s own message after it is back (with the token)', async () => {
    const { client, calls, setToken } = harness([shownAnswer]);
    await client.ask();
    client.setOpen(true);
    client.setOpen(false);
    client.setOpen(true);
    await new Promise((r) => setTimeout(r, 0));
    const events = () => calls.filter((c) => c.url === '/api/widget/proactive/events').map((c) => c.body.event);
    expect(events()).toEqual(['opened']);
    // Messages from before it was shown, or from the agent, are no reply; without a token nothing is sent.
    client.seeMessages([message('visitor', '2026-12-06T20:59:00.000Z'), message('agent', '2026-12-06T21:01:00.000Z')]);
    client.seeMessages([message('visitor', '2026-12-06T21:02:00.000Z')]);
    expect(events()).toEqual(['opened']);
    setToken('vt_1');
    client.seeMessages([message('visitor', '2026-12-06T21:02:00.000Z')]);
    client.seeMessages([message('visitor', '2026-12-06T21:03:00.000Z')]);
    await new Promise((r) => setTimeout(r, 0));
    expect(events()).toEqual(['opened', 'replied']);
    const replied = calls.find((c) => c.body.event === 'replied')!;
    expect(replied.auth).toBe('Bearer vt_1');
    expect(replied.body).toMatchObject({ deliveryId: 'pmd_1', key: 'pk_demo' });
  });

  it('asks again when the server says a rule needs more time on the page', async () => {
    const { client, calls } = harness([{ message: null, retryInSeconds: 1 }, shownAnswer]);
    await client.ask();
    expect(client.shown).toBeNull();
    await new Promise((r) => setTimeout(r, 1200));
    expect(calls.filter((c) => c.url === '/api/widget/proactive')).toHaveLength(2);
    expect(client.shown?.text).toBe('Need help choosing a size?');
  });

  it('keeps a shown message for this browser a while (closing and reopening the chat), not once replied or old', async () => {
    const storage = memory();
    const shownAt = Date.parse(SHOWN_AT);
    const first = harness([shownAnswer], { storage, now: () => shownAt + 60_000 });
    await first.client.ask();
    first.client.stop();
    const again = harness([], { storage, now: () => shownAt + 120_000 });
    expect(again.client.shown?.text).toBe('Need help choosing a size?');
    const late = harness([], { storage, now: () => shownAt + KEEP_SHOWN_MS + 1 });
    expect(late.client.shown).toBeNull();
    storage.set('parley:pk_demo:proactive', '{"bad json');
    expect(harness([], { storage, now: () => shownAt }).client.shown).toBeNull();
  });
});
