import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import type { Tenant } from '../storage/schema.js';

/**
 * Every error caused by a `message.send` names its clientId, whichever check refused it: the
 * per-socket frame rate, validation, hello-first, and the door of the agent socket (sends that
 * arrived while the session was being looked up). Without it a client cannot tell what to retry.
 */
describe('realtime: every refused send carries its clientId', () => {
  let t: TestParley;
  let tenant: Tenant;
  const sockets: TestSocket[] = [];
  const readyVisitor = async () => {
    const { token } = await visitorSession(t, tenant);
    const s = await TestSocket.open(t, '/ws/visitor');
    sockets.push(s);
    s.send({ type: 'hello', token });
    await s.next('ready');
    return s;
  };

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('a flood of sends over the per-socket frame rate: each one is acknowledged or refused by its clientId', async () => {
    const s = await readyVisitor();
    const n = LIMITS.framesPerSecond + 10;
    for (let i = 0; i < n; i++) s.send({ type: 'message.send', clientId: `f${i}`, body: `flood ${i}` });
    const answered = new Map<string, string>();
    while (answered.size < n) {
      const f = await s.next((x) => x.type === 'ack' || x.type === 'error');
      const clientId = f.type === 'ack' ? f.clientId : f.clientId;
      expect(clientId, JSON.stringify(f)).toMatch(/^f\d+$/);
      if (f.type === 'error') expect(f.code).toBe('rate_limited');
      answered.set(clientId, f.type === 'ack' ? 'ack' : f.code);
    }
    expect([...answered.values()].filter((v) => v === 'rate_limited').length).toBeGreaterThanOrEqual(10);
  });

  it('a send refused by validation names its clientId; one without a readable clientId gets none', async () => {
    const s = await readyVisitor();
    const cases: Array<[object, string]> = [
      [{ type: 'message.send', clientId: 'v1', body: '' }, 'validation_failed'],
      [{ type: 'message.send', clientId: 'v2', body: 'hi', admin: true }, 'validation_failed'],
      [{ type: 'message.send', clientId: 'v3', body: 'x'.repeat(LIMITS.maxMessageChars + 1) }, 'validation_failed'],
      [{ type: 'message.send', clientId: 'v4' }, 'validation_failed'],
      [{ type: 'message.send', clientId: 'v5', body: 'note', internal: true }, 'forbidden'],
    ];
    for (const [frame, code] of cases) {
      s.send(frame);
      expect(await s.next('error')).toMatchObject({ code, clientId: (frame as { clientId: string }).clientId });
    }
    s.send('{"type":"message.send","clientId":"v6", broken');
    expect(await s.next('error')).not.toHaveProperty('clientId');
  });

  it('a send before hello is refused with its clientId', async () => {
    const s = await TestSocket.open(t, '/ws/visitor');
    sockets.push(s);
    s.send({ type: 'message.send', clientId: 'early', body: 'hi' });
    expect(await s.next('error')).toMatchObject({ code: 'unauthorized', clientId: 'early' });
    expect((await s.closed).code).toBe(CLOSE.UNAUTHORIZED);
  });

  it('sends that reach an agent socket before its session is refused are each answered by clientId', async () => {
    // One write carries the upgrade request and two frames, so they are read while the session is looked up.
    const frames = await rawAgentSocket(t, 'parley_session=not-a-session', [
      { type: 'hello' },
      { type: 'message.send', clientId: 'a1', conversationId: 'c1', body: 'one' },
      { type: 'message.send', clientId: 'a2', conversationId: 'c1', body: 'two' },
    ]);
    expect(frames.close).toBe(CLOSE.UNAUTHORIZED);
    expect(frames.errors.filter((f) => f.clientId).map((f) => [f.code, f.clientId])).toEqual([
      ['unauthorized', 'a1'],
      ['unauthorized', 'a2'],
    ]);
  });
});

/** A WebSocket client on a bare TCP socket: the upgrade request and the first frames leave in one write. */
async function rawAgentSocket(t: TestParley, cookie: string, frames: object[]): Promise<{ errors: Array<Record<string, string>>; close: number }> {
  const { hostname, port } = new URL(t.url);
  const request =
    `GET /ws/agent HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nOrigin: ${t.origin}\r\nCookie: ${cookie}\r\n\r\n`;
  const masked = (text: string) => {
    const payload = Buffer.from(text);
    if (payload.length > 125) throw new Error('test frames are short');
    const mask = randomBytes(4);
    return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
  };
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(Buffer.concat([Buffer.from(request), ...frames.map((f) => masked(JSON.stringify(f)))]));
  let data = Buffer.alloc(0);
  const parse = () => {
    let rest = data.subarray(data.indexOf('\r\n\r\n') + 4);
    const errors: Array<Record<string, string>> = [];
    let close = 0;
    while (rest.length >= 2) {
      const opcode = rest[0]! & 0x0f;
      let len = rest[1]! & 0x7f;
      let offset = 2;
      if (len === 126) (len = rest.readUInt16BE(2)), (offset = 4);
      if (rest.length < offset + len) break;
      const payload = rest.subarray(offset, offset + len);
      if (opcode === 1) errors.push(JSON.parse(payload.toString()) as Record<string, string>);
      if (opcode === 8) close = payload.readUInt16BE(0);
      rest = rest.subarray(offset + len);
    }
    return { errors, close };
  };
  // Done when the server's close frame arrives (this client never answers it; it just hangs up).
  const { errors, close } = await new Promise<ReturnType<typeof parse>>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const seen = parse();
      if (seen.close) resolve(seen);
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no close frame; got ${data.toString().slice(0, 300)}`)), 5000).unref();
  });
  socket.destroy();
  return { errors, close };
}
