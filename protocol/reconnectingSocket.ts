/**
 * Browser-side WebSocket client used by both the widget frame and the console.
 * - Reconnects with exponential backoff and jitter, except after a final close code.
 * - Keeps every message.send in an outbox until its ack arrives, and re-sends the outbox
 *   (same clientId, so the server deduplicates) after each reconnect.
 * - Calls `hello()` on every (re)connect to build the hello frame, so callers can include the
 *   last seq they have seen and receive exactly what they missed.
 */
import { CLOSE_FINAL } from './closeCodes.js';
import { LIMITS } from './limits.js';

export type SocketState = 'connecting' | 'open' | 'closed';

export interface ReconnectingSocketOptions<In extends { type: string }> {
  url: string;
  hello: () => object;
  onFrame: (frame: In) => void;
  onState?: (state: SocketState, closeCode?: number) => void;
}

interface Pending { clientId: string; frame: object }

export class ReconnectingSocket<In extends { type: string }> {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private ready = false;
  private stopped = false;
  private outbox: Pending[] = [];
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: ReconnectingSocketOptions<In>) {
    this.connect();
  }

  /** Queue a message.send; it is (re)sent until acked. */
  send(frame: { type: 'message.send'; clientId: string }): void {
    this.outbox.push({ clientId: frame.clientId, frame });
    if (this.ready) this.raw(frame);
  }

  /** Fire-and-forget frames (typing, history): dropped while disconnected. */
  notify(frame: object): void {
    if (this.ready) this.raw(frame);
  }

  /** Forget the outbox entry once the server acked it or rejected it for good. */
  settle(clientId: string): void {
    this.outbox = this.outbox.filter((p) => p.clientId !== clientId);
  }

  pendingIds(): string[] {
    return this.outbox.map((p) => p.clientId);
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
  }

  /** Drop the current connection and reconnect at once (used after a long sleep or by tests). */
  reconnectNow(): void {
    this.attempt = 0;
    this.ws?.close(1000);
  }

  private raw(frame: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private connect(): void {
    if (this.stopped) return;
    this.opts.onState?.('connecting');
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.opts.hello()));
    ws.onmessage = (event) => {
      let frame: In;
      try {
        frame = JSON.parse(String(event.data)) as In;
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.ready = true;
        this.attempt = 0;
        this.opts.onState?.('open');
        this.opts.onFrame(frame);
        for (const p of this.outbox) this.raw(p.frame);
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.raw({ type: 'ping' }), LIMITS.heartbeatIntervalMs);
        return;
      }
      if (frame.type === 'ack') this.settle((frame as unknown as { clientId: string }).clientId);
      this.opts.onFrame(frame);
    };
    ws.onclose = (event) => {
      this.ready = false;
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return;
      this.opts.onState?.('closed', event.code);
      if (this.stopped || CLOSE_FINAL.includes(event.code)) return;
      const delay = Math.min(10_000, 250 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
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
