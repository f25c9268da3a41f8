/**
 * A Node `ws` client that follows the delivery rules of clients/js/src/reconnectingSocket.ts: hello with the
 * last seq seen, an outbox re-sent with the same clientIds after every reconnect (and when an ack is
 * overdue), deduplication by message id. It rotates through the given node URLs on reconnect, as a
 * load balancer without sticky sessions would. It records everything it saw, for the checks.
 */
import WebSocket from 'ws';
import { CLOSE_FINAL } from '../protocol/closeCodes.js';
import type { MessageView } from '../protocol/records.js';
import { ORIGIN } from './harness.js';

/** Error codes after which a send is final (not retried). */
const FINAL_SEND_ERRORS = new Set(['validation_failed', 'forbidden', 'conversation_closed', 'not_found', 'bad_request']);

export interface ClientOptions {
  urls: () => string[];
  kind: 'visitor' | 'agent';
  token?: string;
  cookie?: string;
  /** Re-send an unacknowledged message after this long on the same connection. */
  retryMs?: number;
}

let clientSeq = 0;

export class ProtoClient {
  readonly name: string;
  /** Every distinct message seen (ready, ack, message, history), by id. */
  readonly seen = new Map<string, MessageView>();
  /** (conversationId:seq) → ids seen there: more than one id means a stored duplicate. */
  readonly slots = new Map<string, Set<string>>();
  readonly acked = new Map<string, MessageView>();
  readonly outbox = new Map<string, { frame: Record<string, unknown>; sentAt: number }>();
  readonly failed = new Map<string, string>();
  readonly errors: Array<{ code: string; message: string; clientId?: string }> = [];
  readonly closeCodes: number[] = [];
  readonly sentIds: string[] = [];
  connects = 0;
  readyCount = 0;
  conversationId: string | null = null;
  private ws: WebSocket | null = null;
  private ready = false;
  private stopped = false;
  private urlIndex: number;
  private timer: NodeJS.Timeout;
  private sendCounter = 0;

  constructor(private readonly opts: ClientOptions) {
    this.name = `${opts.kind}${++clientSeq}`;
    this.urlIndex = clientSeq;
    this.timer = setInterval(() => this.retryOverdue(), 250);
    this.connect();
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Highest seq such that every seq up to it was seen, per conversation. */
  lastSeq(conversationId: string): number {
    let n = 0;
    while (this.slots.has(`${conversationId}:${n + 1}`)) n++;
    return n;
  }

  send(body: string, conversationId?: string): string {
    const clientId = `${this.name}-${++this.sendCounter}`;
    const frame = { type: 'message.send', clientId, body, ...(conversationId ? { conversationId } : {}) };
    this.outbox.set(clientId, { frame, sentAt: Date.now() });
    this.sentIds.push(clientId);
    if (this.ready) this.raw(frame);
    return clientId;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.ws?.terminate();
  }

  private raw(frame: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private record(m: MessageView): void {
    this.seen.set(m.id, m);
    const key = `${m.conversationId}:${m.seq}`;
    let set = this.slots.get(key);
    if (!set) this.slots.set(key, (set = new Set()));
    set.add(m.id);
  }

  private retryOverdue(): void {
    if (!this.ready) return;
    const now = Date.now();
    const overdue = this.opts.retryMs ?? 2000;
    let budget = 5; // stay under the per-socket frame rate
    for (const entry of this.outbox.values()) {
      if (budget <= 0) break;
      if (now - entry.sentAt > overdue) {
        entry.sentAt = now;
        this.raw(entry.frame);
        budget--;
      }
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const urls = this.opts.urls();
    const url = urls[this.urlIndex++ % urls.length]!.replace(/^http/, 'ws') + (this.opts.kind === 'visitor' ? '/ws/visitor' : '/ws/agent');
    const ws = new WebSocket(url, { headers: { origin: ORIGIN, ...(this.opts.cookie ? { cookie: this.opts.cookie } : {}) } });
    this.ws = ws;
    this.connects++;
    ws.on('open', () => {
      if (this.opts.kind === 'visitor') {
        ws.send(JSON.stringify({ type: 'hello', token: this.opts.token, ...(this.conversationId ? { lastSeq: this.lastSeq(this.conversationId) } : {}) }));
      } else {
        const convs = new Set([...this.seen.values()].map((m) => m.conversationId));
        const lastSeqs = Object.fromEntries([...convs].slice(0, 100).map((c) => [c, this.lastSeq(c)]));
        ws.send(JSON.stringify({ type: 'hello', lastSeqs }));
      }
    });
    ws.on('message', (data) => this.onFrame(JSON.parse(String(data)) as Record<string, any>));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      this.ready = false;
      if (this.ws !== ws) return;
      this.closeCodes.push(code);
      if (this.stopped || CLOSE_FINAL.includes(code)) return;
      setTimeout(() => this.connect(), 50 + Math.random() * 150);
    });
  }

  private onFrame(f: Record<string, any>): void {
    switch (f.type) {
      case 'ready': {
        this.ready = true;
        this.readyCount++;
        if (f.conversation) this.conversationId = f.conversation.id;
        for (const m of f.messages as MessageView[]) this.record(m);
        const now = Date.now();
        let budget = 15;
        for (const entry of this.outbox.values()) {
          if (budget-- <= 0) break;
          entry.sentAt = now;
          this.raw(entry.frame);
        }
        break;
      }
      case 'ack': {
        const m = f.message as MessageView;
        this.outbox.delete(f.clientId);
        this.acked.set(f.clientId, m);
        if (this.opts.kind === 'visitor') this.conversationId = m.conversationId;
        this.record(m);
        break;
      }
      case 'message':
        this.record(f.message as MessageView);
        if (this.opts.kind === 'visitor') this.conversationId ??= f.message.conversationId;
        break;
      case 'history':
        for (const m of f.messages as MessageView[]) this.record(m);
        break;
      case 'error':
        this.errors.push({ code: f.code, message: f.message, clientId: f.clientId });
        if (typeof f.clientId === 'string' && FINAL_SEND_ERRORS.has(f.code)) {
          this.outbox.delete(f.clientId);
          this.failed.set(f.clientId, f.code);
        }
        // unavailable / rate_limited / internal: stays in the outbox; retryOverdue re-sends it.
        break;
    }
  }
}
