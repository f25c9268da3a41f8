import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FINAL_CLOSE_CODES, FINAL_SEND_ERRORS, HEARTBEAT_MS, MAX_FRAME_BYTES, ReconnectingSocket } from './reconnectingSocket.js';
import { CLOSE_FINAL } from '../../../protocol/closeCodes.js';
import { LIMITS } from '../../../protocol/limits.js';
import { ERROR_CODES } from '../../../protocol/errorCodes.js';

describe('one realtime core for the console, the widget and the reference client (issue 18 item 5)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts'))
      .map((e) => join(e.parentPath, e.name));
  it('the apps open their sockets only through clients/js/src/reconnectingSocket.ts', () => {
    const apps = [...files('console/src'), ...files('widget/frame/src')];
    const opening = apps.filter((f) => /new WebSocket\s*\(/.test(readFileSync(f, 'utf8')));
    expect(opening).toEqual([]);
    const users = apps.filter((f) => /from '(\.\.\/)+clients\/js\/src\/reconnectingSocket\.js'/.test(readFileSync(f, 'utf8')));
    expect(users.some((f) => f.startsWith('console/'))).toBe(true);
    expect(users.some((f) => f.startsWith('widget/'))).toBe(true);
    expect(readFileSync('clients/js/src/socket.ts', 'utf8')).toMatch(/new ReconnectingSocket</);
  });
});

describe('the shared realtime core keeps the protocol\'s values (it copies them to stay dependency-free)', () => {
  it('final close codes, heartbeat, frame limit and final send errors match protocol/', () => {
    expect([...FINAL_CLOSE_CODES].sort()).toEqual([...CLOSE_FINAL].sort());
    expect(HEARTBEAT_MS).toBe(LIMITS.heartbeatIntervalMs);
    expect(MAX_FRAME_BYTES).toBe(LIMITS.maxFrameBytes);
    for (const code of FINAL_SEND_ERRORS) expect(ERROR_CODES).toContain(code);
  });
});

/**
 * Issue 17 (5): the order of one client's messages across failures. The peer is a plain `ws` server
 * speaking the protocol's send/ack/error frames (the real node is exercised in
 * scaleout/officialClients.test.ts): it refuses the first attempt of a message with `unavailable`.
 */
describe('ReconnectingSocket: one send at a time, retried in order', () => {
  beforeAll(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket; // Node 20 has no global WebSocket
  });
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  const peer = async (refuse: (clientId: string, attempt: number) => string | null) => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const received: string[] = [];
    const attempts = new Map<string, number>();
    server.on('connection', (ws) => {
      ws.on('message', (raw) => {
        const f = JSON.parse(String(raw)) as { type: string; clientId: string };
        if (f.type === 'hello') return ws.send(JSON.stringify({ type: 'ready' }));
        if (f.type !== 'message.send') return;
        received.push(f.clientId);
        const n = (attempts.get(f.clientId) ?? 0) + 1;
        attempts.set(f.clientId, n);
        const code = refuse(f.clientId, n);
        if (code === 'silent') return; // as a refusal that names no clientId, or a lost frame
        ws.send(JSON.stringify(code ? { type: 'error', code, message: 'no', clientId: f.clientId } : { type: 'ack', clientId: f.clientId, message: { id: f.clientId } }));
      });
    });
    closers.push(() => server.close());
    return { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`, received };
  };

  const client = (url: string, frames: Array<{ type: string; clientId?: string; code?: string }>) => {
    const socket = new ReconnectingSocket<{ type: string; clientId?: string; code?: string }>({ url, hello: () => ({ type: 'hello' }), onFrame: (f) => frames.push(f) });
    closers.push(() => socket.close());
    return socket;
  };

  const until = async (what: string, check: () => boolean) => {
    for (let i = 0; i < 480 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };

  it('a send refused with `unavailable` is retried before any later send leaves', async () => {
    const { url, received } = await peer((id, attempt) => (id === 'a' && attempt === 1 ? 'unavailable' : null));
    const frames: Array<{ type: string; clientId?: string }> = [];
    const socket = client(url, frames);
    socket.send({ type: 'message.send', clientId: 'a' });
    socket.send({ type: 'message.send', clientId: 'b' });
    socket.send({ type: 'message.send', clientId: 'c' });
    await until('three acks', () => frames.filter((f) => f.type === 'ack').length === 3);
    expect(received).toEqual(['a', 'a', 'b', 'c']);
    expect(frames.filter((f) => f.type === 'ack').map((f) => f.clientId)).toEqual(['a', 'b', 'c']);
    expect(socket.pendingIds()).toEqual([]);
  });

  it('a send refused for good leaves the outbox, and the next one goes', async () => {
    const { url, received } = await peer((id) => (id === 'a' ? 'validation_failed' : null));
    const frames: Array<{ type: string; clientId?: string }> = [];
    const socket = client(url, frames);
    socket.send({ type: 'message.send', clientId: 'a' });
    socket.send({ type: 'message.send', clientId: 'b' });
    await until('b acked', () => frames.some((f) => f.type === 'ack' && f.clientId === 'b'));
    expect(received).toEqual(['a', 'b']);
    expect(socket.pendingIds()).toEqual([]);
  });

  it('a send that gets neither ack nor error is sent again (same clientId) before the next one', async () => {
    const { url, received } = await peer((id, attempt) => (id === 'a' && attempt === 1 ? 'silent' : null));
    const frames: Array<{ type: string; clientId?: string }> = [];
    const socket = client(url, frames);
    socket.send({ type: 'message.send', clientId: 'a' });
    socket.send({ type: 'message.send', clientId: 'b' });
    await until('b acked', () => frames.some((f) => f.type === 'ack' && f.clientId === 'b'));
    expect(received).toEqual(['a', 'a', 'b']);
  }, 15_000);
});
