/**
 * Proactive messages in the frame (issue 20 item 4). The frame asks the server whether a message
 * shows now, with only what the tenant's page declared (its page context, from the loader), the
 * seconds since the frame came on the page, and the shopper's identity claim; the server decides and
 * enforces the per-visitor limits. A message shown is remembered for this browser a while (so closing
 * and reopening the chat keeps it), reported `opened` when the shopper opens the chat with it, and
 * `replied` once the visitor's own message comes back from the server after it was shown.
 * No UI: App.tsx renders the state (in the chat window, or in the loader's launcher bubble).
 */
import type { IdentityClaim, PageContextClaim } from '../../../protocol/contactCentre.js';
import type { ProactiveAnswer } from '../../../protocol/proactive.js';
import type { MessageView } from '../../../protocol/records.js';
import type { KeyValue } from './chat.js';

export interface ProactiveMessage {
  deliveryId: string;
  text: string;
  /** Server time it was shown (ms). */
  shownAt: number;
  opened?: boolean;
  replied?: boolean;
}

export interface ProactiveDeps {
  key: string;
  storage: KeyValue;
  fetch: typeof fetch;
  /** The visitor token when the frame has one (sent so the limits follow the visitor). */
  token: () => string | null;
  identity?: IdentityClaim | null;
  /** Redacts a field as the chat does (card numbers, the tenant's patterns) before anything is sent. */
  redact: (text: string) => string;
  now?: () => number;
  /** Ask even without a page context after this many ms (the page may declare none). */
  firstAskMs?: number;
}

/** A message is kept for this browser this long after it was shown (then it is old news). */
export const KEEP_SHOWN_MS = 30 * 60_000;

/** A random id for this browser, kept in the frame's storage (never the host page's). */
export function newVisitorKey(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export class ProactiveClient {
  private readonly startedAt: number;
  private context: PageContextClaim | null = null;
  private message: ProactiveMessage | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asking = false;
  private again = false;
  private stopped = false;
  private open = false;
  private listeners = new Set<(m: ProactiveMessage | null) => void>();

  constructor(private readonly deps: ProactiveDeps) {
    this.startedAt = this.now();
    this.message = this.stored();
    this.timer = setTimeout(() => void this.ask(), deps.firstAskMs ?? 1500);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  get shown(): ProactiveMessage | null {
    return this.message;
  }

  subscribe(fn: (m: ProactiveMessage | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private get storageKey(): string {
    return `parley:${this.deps.key}:proactive`;
  }

  visitorKey(): string {
    const name = `parley:${this.deps.key}:vk`;
    const known = this.deps.storage.get(name);
    if (known && /^[A-Za-z0-9_-]{16,64}$/.test(known)) return known;
    const made = newVisitorKey();
    this.deps.storage.set(name, made);
    return made;
  }

  /** The message shown earlier in this browser, if recent and not yet replied to. */
  private stored(): ProactiveMessage | null {
    try {
      const m = JSON.parse(this.deps.storage.get(this.storageKey) ?? 'null') as ProactiveMessage | null;
      if (!m || typeof m.text !== 'string' || typeof m.deliveryId !== 'string' || typeof m.shownAt !== 'number') return null;
      return !m.replied && this.now() - m.shownAt < KEEP_SHOWN_MS ? m : null;
    } catch {
      return null;
    }
  }

  private set(m: ProactiveMessage | null): void {
    this.message = m;
    if (m) this.deps.storage.set(this.storageKey, JSON.stringify(m));
    for (const fn of this.listeners) fn(m);
  }

  /** The page said where the shopper is: kept (redacted) for the asks, and asked again. */
  setContext(context: PageContextClaim): void {
    const r = this.deps.redact;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(context.attributes)) attributes[r(k)] = r(v);
    this.context = { page: r(context.page), attributes, ...(context.signed ? { signed: context.signed } : {}) };
    if (!this.message) void this.ask();
  }

  /** The chat opened or closed: opening with a message shown counts as `opened`. */
  setOpen(open: boolean): void {
    this.open = open;
    if (open) void this.report('opened');
  }

  /** The chat's messages: the visitor's own, stored after the message was shown, is a reply. */
  seeMessages(messages: readonly MessageView[]): void {
    const m = this.message;
    if (!m || m.replied) return;
    if (messages.some((x) => x.author?.kind === 'visitor' && Date.parse(x.createdAt) >= m.shownAt)) void this.report('replied');
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  async ask(): Promise<void> {
    if (this.stopped || this.message) return;
    if (this.asking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.asking = true;
    try {
      const token = this.deps.token();
      const res = await this.deps.fetch('/api/widget/proactive', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({
          key: this.deps.key,
          visitorKey: this.visitorKey(),
          secondsOnPage: Math.min(86_400, Math.max(0, Math.floor((this.now() - this.startedAt) / 1000))),
          ...(this.context ? { context: this.context } : {}),
          ...(this.deps.identity ? { identity: this.deps.identity } : {}),
        }),
        credentials: 'omit',
      });
      if (!res.ok || this.stopped) return;
      const answer = (await res.json()) as ProactiveAnswer;
      if (answer.message && typeof answer.message.text === 'string') {
        this.set({ deliveryId: answer.message.deliveryId, text: answer.message.text, shownAt: Date.parse(answer.message.shownAt) });
        if (this.open) void this.report('opened');
      } else if (typeof answer.retryInSeconds === 'number' && answer.retryInSeconds > 0) {
        this.timer = setTimeout(() => void this.ask(), Math.min(answer.retryInSeconds, 3600) * 1000);
      }
    } catch {
      /* offline: no message */
    } finally {
      this.asking = false;
      if (this.again) {
        this.again = false;
        void this.ask();
      }
    }
  }

  private async report(event: 'opened' | 'replied'): Promise<void> {
    const m = this.message;
    if (!m || m[event]) return;
    const token = this.deps.token();
    if (event === 'replied' && !token) return;
    // Marked before the call so two triggers send one report; a failure is not retried (analytics only).
    this.set({ ...m, [event]: true, ...(event === 'replied' ? { opened: true } : {}) });
    try {
      await this.deps.fetch('/api/widget/proactive/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ key: this.deps.key, visitorKey: this.visitorKey(), deliveryId: m.deliveryId, event }),
        credentials: 'omit',
      });
    } catch {
      /* analytics only */
    }
  }
}
