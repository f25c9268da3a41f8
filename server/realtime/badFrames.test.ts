import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import type { Tenant } from '../storage/schema.js';

describe('realtime: bad input never crashes a node and changes nothing', () => {
  let t: TestParley;
  let tenant: Tenant;
  const sockets: TestSocket[] = [];
  const open = async (path: '/ws/visitor' | '/ws/agent', opts: { cookie?: string; origin?: string } = {}) => {
    const s = await TestSocket.open(t, path, opts);
    sockets.push(s);
    return s;
  };
  const readyVisitor = async () => {
    const { token } = await visitorSession(t, tenant);
    const s = await open('/ws/visitor');
    s.send({ type: 'hello', token });
    await s.next('ready');
    return s;
  };
  const messageCount = async () =>
    Number((await t.ctx.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('answers malformed and wrongly typed frames with clear errors and stays usable', async () => {
    const s = await readyVisitor();
    const cases: Array<[unknown, string, RegExp]> = [
      ['{not json', 'bad_request', /not valid JSON/],
      ['[1,2,3]', 'bad_request', /JSON object with a string "type"/],
      ['"just a string"', 'bad_request', /JSON object/],
      [{ type: 42 }, 'bad_request', /string "type"/],
      [{ type: 'teleport' }, 'bad_request', /unknown frame type "teleport"/],
      [{ type: 'message.send', clientId: 'x' }, 'validation_failed', /body/],
      [{ type: 'message.send', clientId: 'x', body: 12 }, 'validation_failed', /\/body/],
      [{ type: 'message.send', clientId: 'has space', body: 'hi' }, 'validation_failed', /\/clientId/],
      [{ type: 'message.send', clientId: 'x', body: '' }, 'validation_failed', /\/body/],
      [{ type: 'message.send', clientId: 'x', body: 'a'.repeat(LIMITS.maxMessageChars + 1) }, 'validation_failed', /\/body/],
      [{ type: 'message.send', clientId: 'x', body: 'hi', admin: true }, 'validation_failed', /\/admin is not a known field/],
      [{ type: 'typing', on: 'yes' }, 'validation_failed', /\/on/],
      [{ type: 'hello', token: 'again' }, 'bad_request', /hello already received/],
      [{ type: 'message.send', clientId: 'x', body: '   ' }, 'validation_failed', /empty/],
      [{ type: 'message.send', clientId: 'x', body: 'note', internal: true }, 'forbidden', /private notes/],
    ];
    for (const [frame, code, message] of cases) {
      s.send(frame);
      const err = await s.next('error');
      expect(err.code, JSON.stringify(frame).slice(0, 80)).toBe(code);
      expect(err.message).toMatch(message);
      await new Promise((r) => setTimeout(r, 60)); // stay under the frame rate limit
    }
    expect(await messageCount()).toBe(0);
    s.send({ type: 'message.send', clientId: 'ok', body: 'still works' });
    expect((await s.next('ack')).message.body).toBe('still works');
  });

  it('closes a socket that sends an oversized frame, and the node keeps serving', async () => {
    const s = await readyVisitor();
    s.send(JSON.stringify({ type: 'message.send', clientId: 'big', body: 'x'.repeat(LIMITS.maxFrameBytes) }));
    expect((await s.closed).code).toBe(CLOSE.TOO_BIG);
    const other = await readyVisitor();
    other.send({ type: 'ping' });
    expect(await other.next('pong')).toEqual({ type: 'pong' });
    expect(await messageCount()).toBe(0);
  });

  it('requires hello first, and a valid token', async () => {
    const s = await open('/ws/visitor');
    s.send({ type: 'message.send', clientId: 'x', body: 'hi' });
    expect((await s.next('error')).code).toBe('unauthorized');
    expect((await s.closed).code).toBe(CLOSE.UNAUTHORIZED);

    const forged = await open('/ws/visitor');
    const { token } = await visitorSession(t, tenant);
    forged.send({ type: 'hello', token: token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    expect((await forged.closed).code).toBe(CLOSE.UNAUTHORIZED);
  });

  it('refuses sockets from foreign origins and agents without a session', async () => {
    const evil = await open('/ws/visitor', { origin: 'https://evil.example' });
    expect((await evil.closed).code).toBe(CLOSE.FORBIDDEN);
    const agentEvil = await open('/ws/agent', { origin: 'https://evil.example' });
    expect((await agentEvil.closed).code).toBe(CLOSE.FORBIDDEN);
    const anonymous = await open('/ws/agent');
    expect((await anonymous.closed).code).toBe(CLOSE.UNAUTHORIZED);
  });

  it('rate-limits a flood of frames and then closes the socket', async () => {
    const s = await readyVisitor();
    for (let i = 0; i < LIMITS.framesPerSecond * 3; i++) s.send({ type: 'ping' });
    expect((await s.next((f) => f.type === 'error' && f.code === 'rate_limited')).message).toMatch(/frames per second/);
    expect((await s.closed).code).toBe(CLOSE.RATE_LIMITED);
  });

  it('an agent cannot write into, read or type in another tenant’s conversation', async () => {
    const visitor = await readyVisitor();
    visitor.send({ type: 'message.send', clientId: 'v', body: 'private to tenant A' });
    const { message } = await visitor.next('ack');
    const otherTenant = await makeTenant(t);
    const intruder = await makeAgent(t, otherTenant, 'admin');
    const { cookie } = await login(t, intruder);
    const s = await open('/ws/agent', { cookie });
    s.send({ type: 'hello', lastSeqs: { [message.conversationId]: 0 } });
    expect((await s.next('ready')).messages).toEqual([]);
    s.send({ type: 'message.send', clientId: 'i', conversationId: message.conversationId, body: 'hijack' });
    expect((await s.next('error')).code).toBe('not_found');
    s.send({ type: 'history', conversationId: message.conversationId, afterSeq: 0 });
    expect((await s.next('error')).code).toBe('not_found');
    s.send({ type: 'typing', conversationId: message.conversationId, on: true });
    expect((await s.next('error')).code).toBe('not_found');
    expect(await messageCount()).toBe(1);
  });
});
