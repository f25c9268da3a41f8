/**
 * Frames held behind a conversation's first audit entry (Connection.sendAudited) against the socket's
 * slow-consumer bound. One audit commit releases many conversations' frames at once: that burst must
 * not read as a slow consumer (the bench's agent socket was closed 4009 that way, 2026-12-07), while a
 * consumer that really stops reading still is. A fake socket whose buffer only grows until drained.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import { Connection } from './connection.js';

class FakeSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent = 0;
  closedWith: number | null = null;
  send(json: string): void {
    this.sent += 1;
    this.bufferedAmount += json.length;
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
  ping(): void {}
  /** The client read everything buffered so far. */
  drain(): void {
    this.bufferedAmount = 0;
  }
}

class Probe extends Connection<{ type: string }, { type: string }> {
  audited(json: string, conversationId: string, entry: Promise<void> | null): void {
    this.sendAudited(json, conversationId, entry);
  }
  protected async onHello(): Promise<void> {}
  protected async onFrame(): Promise<void> {}
  protected onClose(): void {}
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
function probe(): { ws: FakeSocket; conn: Probe } {
  const ws = new FakeSocket();
  const conn = new Probe(ws as unknown as WebSocket, {} as never, silent as never, {} as never);
  return { ws, conn };
}
const frame = (n: number) => JSON.stringify({ type: 'message', pad: 'x'.repeat(n) });

describe('frames held for their audit entry', () => {
  it('lets a released burst past the buffer bound, and still closes a consumer that stops reading', async () => {
    const { ws, conn } = probe();
    let open!: () => void;
    const entry = new Promise<void>((resolve) => (open = resolve));
    // 3 MB for 300 new conversations, all waiting for one audit commit: held, not sent.
    for (let i = 0; i < 300; i++) conn.audited(frame(10_000), `conv${i}`, entry);
    expect(ws.sent).toBe(0);
    open();
    await entry;
    await Promise.resolve();
    expect(ws.sent).toBe(300);
    expect(ws.bufferedAmount).toBeGreaterThan(LIMITS.maxBufferedBytes);
    // A frame right after the burst, before the client has read it: not a slow consumer.
    conn.sendRaw(frame(100));
    expect(ws.closedWith).toBeNull();
    // The client reads the burst; from then on the ordinary bounds hold again: over the hard bound, closed.
    ws.drain();
    conn.sendRaw(frame(100));
    for (let i = 0; i < 600 && ws.closedWith === null; i++) conn.sendRaw(frame(10_000));
    expect(ws.closedWith).toBe(CLOSE.SLOW_CONSUMER);
    expect(ws.bufferedAmount).toBeGreaterThan(LIMITS.maxBufferedBurstBytes);
    expect(ws.bufferedAmount).toBeLessThan(LIMITS.maxBufferedBurstBytes + 20_000);
    ws.emit('close');
  });

  it('closes with 1011 when more than the held bound waits for an entry', () => {
    const { ws, conn } = probe();
    const never = new Promise<void>(() => {});
    for (let i = 0; i < 2_000 && ws.closedWith === null; i++) conn.audited(frame(10_000), `conv${i % 50}`, never);
    expect(ws.sent).toBe(0);
    expect(ws.closedWith).toBe(CLOSE.INTERNAL);
    ws.emit('close');
  });
});

describe('slow consumers: a moment over the bound, or far over it', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps a socket that is over the bound for less than the grace period, closes one that stays over it', () => {
    // Only the clock moves (the socket's own heartbeat timers stay real).
    vi.useFakeTimers({ toFake: ['Date'] });
    const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
    const { ws, conn } = probe();
    // A busy client: 1.5 MB queued at peak load, read within a second.
    while (ws.bufferedAmount <= LIMITS.maxBufferedBytes * 1.5) conn.sendRaw(frame(10_000));
    conn.sendRaw(frame(100)); // the node sees it over the bound
    later(LIMITS.slowConsumerGraceMs - 1_000);
    conn.sendRaw(frame(10_000));
    expect(ws.closedWith).toBeNull();
    ws.drain();
    conn.sendRaw(frame(100)); // within the bound: the grace period starts again next time
    // A client that stops reading: over the bound, and still over it after the grace period.
    while (ws.bufferedAmount <= LIMITS.maxBufferedBytes) conn.sendRaw(frame(10_000));
    conn.sendRaw(frame(100));
    later(LIMITS.slowConsumerGraceMs - 1_000);
    conn.sendRaw(frame(10_000));
    expect(ws.closedWith).toBeNull();
    later(1_001);
    conn.sendRaw(frame(10_000));
    expect(ws.closedWith).toBe(CLOSE.SLOW_CONSUMER);
    expect(ws.bufferedAmount).toBeLessThan(LIMITS.maxBufferedBurstBytes);
    ws.emit('close');
  });
});
