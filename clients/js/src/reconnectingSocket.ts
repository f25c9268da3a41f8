/**
 * The core of every Parley realtime client: the widget frame, the console and the reference
 * client's ParleySocket (socket.ts) all run this one implementation of docs/API-CONTRACT.md's
 * ack / retry / order / resume-on-reconnect rules (issue 18 item 5). No dependency, no Parley code:
 * the protocol's values it needs are copied below and checked against protocol/ by a test.
 * - Reconnects with exponential backoff and jitter, except after a final close code.
 * - Keeps every message.send in an outbox until its ack arrives, and sends them ONE AT A TIME, in
 *   the order they were queued: the next leaves only when the previous one is acknowledged (or
 *   failed for good). So a send refused for a passing reason (`unavailable`, `storage_full`,
 *   `rate_limited`, `internal`) is retried by this socket — same clientId, so the server
 *   deduplicates — with backoff, and no later message can be stored before it (issue 17; the
 *   guarantee is in docs/API-CONTRACT.md, "Order of a client's messages").
 * - A send refused for good (FINAL_SEND_ERRORS) leaves the outbox; the app shows it as failed.
 * - Calls `hello()` on every (re)connect to build the hello frame, so callers can include the
 *   last seq they have seen and receive exactly what they missed.
 */
export type SocketState = 'connecting' | 'open' | 'closed';

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

export interface ReconnectingSocketOptions<In extends { type: string }> {
  url: string;
  /** The hello frame of each (re)connect: callers put the last seq they hold in it. */
  hello: () => object;
  onFrame: (frame: In) => void;
  onState?: (state: SocketState, closeCode?: number) => void;
  /** Opens a socket; default the platform's `new WebSocket(url)`. In Node pass one that sets `Origin: PUBLIC_URL` (ws). */
  open?: (url: string) => WebSocketLike;
  /** First reconnect delay in ms (default 250; tests make it shorter). */
  baseDelayMs?: number;
}

/** Close codes after which only new credentials help: no reconnect (protocol/closeCodes.ts CLOSE_FINAL). */
export const FINAL_CLOSE_CODES: readonly number[] = [4001, 4003];
/** Ping interval (protocol/limits.ts LIMITS.heartbeatIntervalMs). */
export const HEARTBEAT_MS = 25_000;
/** Frames above this are cut by the server with close code 1009 (LIMITS.maxFrameBytes). */
export const MAX_FRAME_BYTES = 16 * 1024;
const OPEN = 1;

interface Pending { clientId: string; frame: object }

/** Error codes after which a send is final: it is dropped from the outbox and shown as failed. Any other error is retried. */
export const FINAL_SEND_ERRORS: readonly string[] = ['validation_failed', 'forbidden', 'conversation_closed', 'not_found', 'bad_request', 'payload_too_large'];

const SEND_RETRY_FIRST_MS = 500;
const SEND_RETRY_MAX_MS = 10_000;
/** No ack and no error for this long (a refusal that named no clientId, a lost frame): send it again. */
const ACK_TIMEOUT_MS = 5000;

export class ReconnectingSocket<In extends { type: string }> {
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private ready = false;
  private stopped = false;
  private outbox: Pending[] = [];
  /** The clientId sent and not yet acknowledged: nothing else is sent meanwhile. */
  private inFlight: string | null = null;
  private sendRetries = 0;
  private sendRetryTimer: ReturnType<typeof setTimeout> | undefined;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: ReconnectingSocketOptions<In>) {
    this.connect();
  }

  /** Queue a message.send; it is sent after every earlier one, and (re)sent until acked. */
  send(frame: { type: 'message.send'; clientId: string }): void {
    this.outbox.push({ clientId: frame.clientId, frame });
    this.pump();
  }

  /** Fire-and-forget frames (typing, history): dropped while disconnected. */
  notify(frame: object): void {
    if (this.ready) this.raw(frame);
  }

  /** Forget the outbox entry once the server acked it or rejected it for good; the next one leaves. */
  settle(clientId: string): void {
    this.outbox = this.outbox.filter((p) => p.clientId !== clientId);
    if (this.inFlight === clientId) {
      this.inFlight = null;
      this.sendRetries = 0;
      clearTimeout(this.ackTimer);
      clearTimeout(this.sendRetryTimer);
      this.sendRetryTimer = undefined;
      this.pump();
    }
  }

  pendingIds(): string[] {
    return this.outbox.map((p) => p.clientId);
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.sendRetryTimer);
    clearTimeout(this.ackTimer);
    this.ws?.close(1000);
  }

  /** Drop the current connection and reconnect at once (used after a long sleep or by tests). */
  reconnectNow(): void {
    this.attempt = 0;
    this.ws?.close(1000);
  }

  private raw(frame: object): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Sends the oldest unacknowledged message, unless one is already on its way. */
  private pump(): void {
    if (!this.ready || this.inFlight !== null || this.sendRetryTimer !== undefined) return;
    const head = this.outbox[0];
    if (!head) return;
    this.inFlight = head.clientId;
    this.raw(head.frame);
    clearTimeout(this.ackTimer);
    this.ackTimer = setTimeout(() => {
      if (this.inFlight !== head.clientId) return;
      this.inFlight = null;
      this.pump();
    }, ACK_TIMEOUT_MS);
  }

  /** The message on its way was refused for a passing reason: the same one again, after a pause. */
  private retryInFlight(): void {
    clearTimeout(this.ackTimer);
    const delay = Math.min(SEND_RETRY_MAX_MS, SEND_RETRY_FIRST_MS * 2 ** this.sendRetries++) * (0.5 + Math.random() / 2);
    this.inFlight = null;
    clearTimeout(this.sendRetryTimer);
    this.sendRetryTimer = setTimeout(() => {
      this.sendRetryTimer = undefined;
      this.pump();
    }, delay);
  }

  private connect(): void {
    if (this.stopped) return;
    this.opts.onState?.('connecting');
    const ws = this.opts.open ? this.opts.open(this.opts.url) : (new WebSocket(this.opts.url) as unknown as WebSocketLike);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.opts.hello()));
    ws.onmessage = (event) => {
      if (this.ws !== ws) return; // a late frame of a replaced socket
      let frame: In;
      try {
        frame = JSON.parse(String(event.data)) as In;
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.ready = true;
        this.attempt = 0;
        this.inFlight = null;
        this.opts.onState?.('open');
        this.opts.onFrame(frame);
        this.pump();
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.raw({ type: 'ping' }), HEARTBEAT_MS);
        return;
      }
      if (frame.type === 'ack') this.settle((frame as unknown as { clientId: string }).clientId);
      if (frame.type === 'error') {
        const { clientId, code } = frame as unknown as { clientId?: unknown; code?: unknown };
        if (typeof clientId === 'string' && clientId === this.inFlight) {
          if (FINAL_SEND_ERRORS.includes(String(code))) this.settle(clientId);
          else this.retryInFlight();
        }
      }
      this.opts.onFrame(frame);
    };
    ws.onerror = () => {}; // a close follows
    ws.onclose = (event) => {
      this.ready = false;
      this.inFlight = null; // re-sent after the next ready
      clearTimeout(this.ackTimer);
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return;
      this.opts.onState?.('closed', event.code);
      if (this.stopped || FINAL_CLOSE_CODES.includes(event.code)) return;
      const delay = Math.min(10_000, (this.opts.baseDelayMs ?? 250) * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt++;
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }
}

/** A client message id: unique per send, stable across retries of that send. */
export function newClientId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
