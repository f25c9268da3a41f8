/**
 * Reconnecting WebSocket client for /ws/visitor and /ws/agent, implementing docs/API-CONTRACT.md.
 * The transport — `hello` on every (re)connect, one `message.send` at a time kept in an outbox until
 * its `ack`, re-sent with the same clientId after a reconnect, a passing refusal (`unavailable`,
 * `storage_full`, `rate_limited`, `internal`) or 5 s without an answer, final refusals dropped,
 * backoff with jitter, no reconnect after 4001/4003, pings — is reconnectingSocket.ts, the very core
 * the widget frame and the console run. On top of it this class adds what an integration wants:
 * - `send()` answers a Promise of the committed message (from its `ack`), or rejects with
 *   SendFailedError on a final refusal;
 * - messages are reported once each (by id), from `ready`, `ack`, `message` events and `history`;
 * - resume in pages: `ready.more` (visitor: boolean; agent: the conversations that continue) is
 *   followed by `history` requests from the last message of each page until `more: false`, and the
 *   next `hello` says the last seq received *in order* (a live message received while catching up
 *   does not move it), so a reconnect in the middle of a catch-up misses nothing.
 */
import type { components } from './schema.js';
import { FINAL_CLOSE_CODES, MAX_FRAME_BYTES, ReconnectingSocket, newClientId, type SocketState, type WebSocketLike } from './reconnectingSocket.js';

export { FINAL_CLOSE_CODES, MAX_FRAME_BYTES, newClientId, type WebSocketLike };
export type MessageView = components['schemas']['MessageView'];
export type ConversationView = components['schemas']['ConversationView'];
export type ServerFrame = { type: string; [key: string]: unknown };

export interface SocketOptions {
  /** ws(s)://host/ws/visitor or /ws/agent. */
  url: string;
  /** Visitor: the token from POST /api/widget/session. Agents authenticate by the session cookie of the upgrade. */
  visitorToken?: string;
  /** Opens a socket; default `new WebSocket(url)`. In Node pass one that sets `Origin: PUBLIC_URL`. */
  open?: (url: string) => WebSocketLike;
  onMessage?: (message: MessageView) => void;
  onFrame?: (frame: ServerFrame) => void;
  onState?: (state: SocketState, code?: number) => void;
  /** Test hook: first reconnect delay in ms (default 250). */
  baseDelayMs?: number;
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
  private readonly core: ReconnectingSocket<ServerFrame>;
  private readonly waiting = new Map<string, { resolve: (m: MessageView) => void; reject: (e: Error) => void }>();
  private readonly seen = new Set<string>();
  /** conversationId → the seq up to which every message was received (what the next hello says). */
  private readonly inOrder = new Map<string, number>();
  /** conversationId → highest seq seen, live messages included. */
  private readonly highest = new Map<string, number>();
  /** Conversations still being caught up page by page. */
  private readonly catchingUp = new Set<string>();
  private currentConversation: string | null = null;
  private stopped = false;

  constructor(private readonly opts: SocketOptions) {
    this.core = new ReconnectingSocket<ServerFrame>({
      url: opts.url,
      open: opts.open,
      baseDelayMs: opts.baseDelayMs,
      hello: () => this.hello(),
      onFrame: (frame) => this.onFrame(frame),
      onState: (state, code) => this.onState(state, code),
    });
  }

  /** Sends a message (visitor: to their conversation; agent: give conversationId). Resolves with the stored message once committed. */
  send(body: string, extra: { conversationId?: string; internal?: boolean; clientId?: string } = {}): Promise<MessageView> {
    const clientId = extra.clientId ?? newClientId();
    const frame = { type: 'message.send' as const, clientId, body, ...(extra.conversationId ? { conversationId: extra.conversationId } : {}), ...(extra.internal ? { internal: true } : {}) };
    if (this.stopped) return Promise.reject(new SendFailedError('closed', 'the client is closed', clientId));
    if (new TextEncoder().encode(JSON.stringify(frame)).length > MAX_FRAME_BYTES) {
      return Promise.reject(new SendFailedError('payload_too_large', `a frame may carry at most ${MAX_FRAME_BYTES} bytes`, clientId));
    }
    return new Promise((resolve, reject) => {
      this.waiting.set(clientId, { resolve, reject });
      this.core.send(frame);
    });
  }

  /** Fire-and-forget frames (typing, receipts, history): dropped while disconnected. */
  notify(frame: { type: string; [key: string]: unknown }): void {
    this.core.notify(frame);
  }

  /** The visitor's conversation (from `ready`, an `ack` or a `conversation` event). */
  get conversationId(): string | null {
    return this.currentConversation;
  }

  /** clientIds sent and not yet acknowledged, oldest first. */
  pending(): string[] {
    return this.core.pendingIds();
  }

  /** Drops the connection and reconnects at once (e.g. after the device slept). */
  reconnectNow(): void {
    this.core.reconnectNow();
  }

  close(): void {
    this.stopped = true;
    this.core.close();
    this.failAll('closed', 'the client was closed before the server acknowledged this message');
  }

  private hello(): object {
    if (this.opts.visitorToken !== undefined) {
      const lastSeq = this.currentConversation ? this.inOrder.get(this.currentConversation) : undefined;
      return { type: 'hello', token: this.opts.visitorToken, ...(lastSeq !== undefined ? { lastSeq } : {}) };
    }
    return { type: 'hello', ...(this.inOrder.size ? { lastSeqs: Object.fromEntries([...this.inOrder].slice(-100)) } : {}) };
  }

  private failAll(code: string, message: string): void {
    for (const [clientId, w] of [...this.waiting]) {
      this.waiting.delete(clientId);
      this.core.settle(clientId);
      w.reject(new SendFailedError(code, message, clientId));
    }
  }

  private onState(state: SocketState, code?: number): void {
    if (state === 'closed' && code !== undefined && FINAL_CLOSE_CODES.includes(code) && !this.stopped) {
      this.failAll('unauthorized', `closed with ${code}: new credentials are needed`);
    }
    this.opts.onState?.(state, code);
  }

  /** A message received; `paged`: it came in a ready/history page (in order from the last hello or page). */
  private record(message: MessageView, paged: boolean): void {
    const c = message.conversationId;
    if (message.seq > (this.highest.get(c) ?? 0)) this.highest.set(c, message.seq);
    if ((paged || !this.catchingUp.has(c)) && message.seq > (this.inOrder.get(c) ?? 0)) this.inOrder.set(c, message.seq);
    if (this.opts.visitorToken !== undefined) this.currentConversation = c;
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    this.opts.onMessage?.(message);
  }

  /** Asks for the page after the last one received, or ends the catch-up of that conversation. */
  private nextPage(conversationId: string | null, more: boolean): void {
    if (conversationId === null) return;
    if (!more) {
      this.catchingUp.delete(conversationId);
      this.inOrder.set(conversationId, Math.max(this.inOrder.get(conversationId) ?? 0, this.highest.get(conversationId) ?? 0));
      return;
    }
    this.catchingUp.add(conversationId);
    this.core.notify({ type: 'history', conversationId, afterSeq: this.inOrder.get(conversationId) ?? 0 });
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready': {
        const conversation = (frame as { conversation?: ConversationView | null }).conversation;
        if (conversation) this.currentConversation = conversation.id;
        const messages = (frame as { messages?: MessageView[] }).messages ?? [];
        for (const m of messages) this.record(m, true);
        const more = frame.more;
        if (Array.isArray(more)) for (const id of more as string[]) this.nextPage(id, true);
        else this.nextPage(this.currentConversation, more === true);
        break;
      }
      case 'ack': {
        const { clientId, message } = frame as unknown as { clientId: string; message: MessageView };
        this.record(message, false);
        const w = this.waiting.get(clientId);
        this.waiting.delete(clientId);
        w?.resolve(message);
        break;
      }
      case 'message':
        this.record((frame as unknown as { message: MessageView }).message, false);
        break;
      case 'history': {
        const page = frame as unknown as { conversationId: string; messages: MessageView[]; more: boolean };
        for (const m of page.messages) this.record(m, true);
        this.nextPage(page.conversationId ?? page.messages[0]?.conversationId ?? this.currentConversation, page.more);
        break;
      }
      case 'conversation': {
        const c = (frame as unknown as { conversation: ConversationView }).conversation;
        if (this.opts.visitorToken !== undefined) this.currentConversation = c.id;
        break;
      }
      case 'error': {
        // The core already decided: a final refusal left its outbox (reject), a passing one is retried.
        const { code, message, clientId } = frame as { code?: string; message?: string; clientId?: string };
        if (clientId === undefined || !this.waiting.has(clientId) || this.core.pendingIds().includes(clientId)) break;
        const w = this.waiting.get(clientId)!;
        this.waiting.delete(clientId);
        w.reject(new SendFailedError(String(code), String(message), clientId));
        break;
      }
    }
    this.opts.onFrame?.(frame);
  }
}
