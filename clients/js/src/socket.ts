/**
 * Reconnecting WebSocket client for /ws/visitor and /ws/agent, implementing docs/API-CONTRACT.md:
 * - `hello` first on every (re)connect, with the last seq seen (visitor `lastSeq`, agent
 *   `lastSeqs`), so the server sends exactly what was missed;
 * - every `message.send` stays in an outbox until its `ack` (sent only after commit); after a
 *   reconnect, or an `unavailable` / `rate_limited` error naming its clientId, it is sent again with
 *   the same clientId (the server deduplicates); other errors naming it are final;
 * - sends go one at a time, in order: a send is not written before the previous one was acked, so a
 *   retried message is never overtaken by a later one;
 * - messages are reported once each (by id), whether they came in `ready`, an `ack`, a `message`
 *   event or a `history` page;
 * - reconnects with exponential backoff and jitter, except after the final close codes 4001/4003;
 *   pings every 25 s.
 */
import type { components } from './schema.js';

export type MessageView = components['schemas']['MessageView'];
export type ConversationView = components['schemas']['ConversationView'];
export type ServerFrame = { type: string; [key: string]: unknown };

/** What the client needs of a WebSocket (the browser's, or `ws` in Node, which can set Origin). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SocketOptions {
  /** ws(s)://host/ws/visitor or /ws/agent. */
  url: string;
  /** Visitor: the token from POST /api/widget/session. Agents authenticate by the session cookie of the upgrade. */
  visitorToken?: string;
  /** Opens a socket; default `new WebSocket(url)`. In Node pass one that sets `Origin: PUBLIC_URL`. */
  open?: (url: string) => WebSocketLike;
  onMessage?: (message: MessageView) => void;
  onFrame?: (frame: ServerFrame) => void;
  onState?: (state: 'connecting' | 'open' | 'closed', code?: number) => void;
  /** Test hook: first reconnect delay in ms (default 250). */
  baseDelayMs?: number;
}

/** Close codes after which only new credentials help (docs/API-CONTRACT.md). */
export const FINAL_CLOSE_CODES = [4001, 4003];
/** Error codes naming a clientId after which the send is retried (others settle it as failed). */
const RETRYABLE = new Set(['unavailable', 'rate_limited', 'storage_full', 'internal']);
const HEARTBEAT_MS = 25_000;
/** Frames above this are cut with close code 1009 (LIMITS.maxFrameBytes): refused before sending. */
export const MAX_FRAME_BYTES = 16 * 1024;

interface Pending {
  clientId: string;
  frame: { type: 'message.send'; clientId: string; body: string; conversationId?: string; internal?: boolean };
  resolve: (m: MessageView) => void;
  reject: (e: Error) => void;
}

export class SendFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly clientId: string,
  ) {
    super(message);
    this.name = 'SendFailedError';
  }
}

export class ParleySocket {
  private ws: WebSocketLike | null = null;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private outbox: Pending[] = [];
  private inFlight: string | null = null;
  private readonly seen = new Set<string>();
  /** conversationId → highest seq seen. */
  private readonly lastSeqs = new Map<string, number>();
  private currentConversation: string | null = null;
  private ping: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: SocketOptions) {
    this.connect();
  }

  /** Sends a message (visitor: to their conversation; agent: give conversationId). Resolves with the stored message once committed. */
  send(body: string, extra: { conversationId?: string; internal?: boolean; clientId?: string } = {}): Promise<MessageView> {
    const clientId = extra.clientId ?? newClientId();
    return new Promise((resolve, reject) => {
      const frame = { type: 'message.send' as const, clientId, body, ...(extra.conversationId ? { conversationId: extra.conversationId } : {}), ...(extra.internal ? { internal: true } : {}) };
      if (new TextEncoder().encode(JSON.stringify(frame)).length > MAX_FRAME_BYTES) {
        reject(new SendFailedError('payload_too_large', `a frame may carry at most ${MAX_FRAME_BYTES} bytes`, clientId));
        return;
      }
      this.outbox.push({ clientId, frame, resolve, reject });
      this.pump();
    });
  }

  /** Fire-and-forget frames (typing, receipts, history): dropped while disconnected. */
  notify(frame: { type: string; [key: string]: unknown }): void {
    if (this.ready) this.raw(frame);
  }

  get conversationId(): string | null {
    return this.currentConversation;
  }

  pending(): string[] {
    return this.outbox.map((p) => p.clientId);
  }

  /** Drops the connection and reconnects at once (e.g. after the device slept). */
  reconnectNow(): void {
    this.attempt = 0;
    this.ws?.close(1000);
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.ping);
    clearTimeout(this.retry);
    this.ws?.close(1000);
    for (const p of this.outbox.splice(0)) p.reject(new SendFailedError('closed', 'the client was closed before the server acknowledged this message', p.clientId));
  }

  private hello(): object {
    if (this.opts.visitorToken !== undefined) {
      const lastSeq = this.currentConversation ? this.lastSeqs.get(this.currentConversation) : undefined;
      return { type: 'hello', token: this.opts.visitorToken, ...(lastSeq !== undefined ? { lastSeq } : {}) };
    }
    return { type: 'hello', ...(this.lastSeqs.size ? { lastSeqs: Object.fromEntries([...this.lastSeqs].slice(-100)) } : {}) };
  }

  private raw(frame: object): void {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }

  /** Writes the oldest unacknowledged send, if none is in flight. */
  private pump(): void {
    if (!this.ready || this.inFlight !== null) return;
    const next = this.outbox[0];
    if (!next) return;
    this.inFlight = next.clientId;
    this.raw(next.frame);
  }

  private record(message: MessageView): void {
    const prev = this.lastSeqs.get(message.conversationId) ?? 0;
    if (message.seq > prev) this.lastSeqs.set(message.conversationId, message.seq);
    if (this.opts.visitorToken !== undefined) this.currentConversation = message.conversationId;
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    this.opts.onMessage?.(message);
  }

  private settle(clientId: string, outcome: { message: MessageView } | { error: SendFailedError }): void {
    const i = this.outbox.findIndex((p) => p.clientId === clientId);
    if (i < 0) return;
    const [p] = this.outbox.splice(i, 1);
    if (this.inFlight === clientId) this.inFlight = null;
    if ('message' in outcome) p!.resolve(outcome.message);
    else p!.reject(outcome.error);
    this.pump();
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready': {
        this.ready = true;
        this.attempt = 0;
        const conversation = (frame as { conversation?: ConversationView | null }).conversation;
        if (conversation) this.currentConversation = conversation.id;
        for (const m of (frame as { messages?: MessageView[] }).messages ?? []) this.record(m);
        this.opts.onState?.('open');
        this.inFlight = null; // whatever was in flight is sent again (same clientId)
        this.pump();
        clearInterval(this.ping);
        this.ping = setInterval(() => this.raw({ type: 'ping' }), HEARTBEAT_MS);
        break;
      }
      case 'ack': {
        const { clientId, message } = frame as unknown as { clientId: string; message: MessageView };
        this.record(message);
        this.settle(clientId, { message });
        break;
      }
      case 'message':
        this.record((frame as unknown as { message: MessageView }).message);
        break;
      case 'history':
        for (const m of (frame as unknown as { messages: MessageView[] }).messages) this.record(m);
        break;
      case 'conversation': {
        const c = (frame as unknown as { conversation: ConversationView }).conversation;
        if (this.opts.visitorToken !== undefined) this.currentConversation = c.id;
        break;
      }
      case 'error': {
        const { code, message, clientId } = frame as { code?: string; message?: string; clientId?: string };
        if (clientId === undefined || !this.outbox.some((p) => p.clientId === clientId)) break;
        if (RETRYABLE.has(String(code))) {
          // Same clientId again after a pause; later sends wait behind it (order is kept).
          if (this.inFlight === clientId) this.inFlight = null;
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.pump(), this.delay());
        } else {
          this.settle(clientId, { error: new SendFailedError(String(code), String(message), clientId) });
        }
        break;
      }
    }
    this.opts.onFrame?.(frame);
  }

  private delay(): number {
    const base = this.opts.baseDelayMs ?? 250;
    const d = Math.min(10_000, base * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    return d;
  }

  private connect(): void {
    if (this.stopped) return;
    this.opts.onState?.('connecting');
    const ws = this.opts.open ? this.opts.open(this.opts.url) : (new WebSocket(this.opts.url) as unknown as WebSocketLike);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.hello()));
    ws.onmessage = (ev) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      if (this.ws === ws) this.onFrame(frame);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ready = false;
      this.inFlight = null;
      clearInterval(this.ping);
      this.opts.onState?.('closed', ev.code);
      if (this.stopped) return;
      if (FINAL_CLOSE_CODES.includes(ev.code)) {
        for (const p of this.outbox.splice(0)) p.reject(new SendFailedError('unauthorized', `closed with ${ev.code}: new credentials are needed`, p.clientId));
        return;
      }
      this.retry = setTimeout(() => this.connect(), this.delay());
    };
  }
}

/** A client message id: unique per send, the same for every retry of that send. */
export function newClientId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
