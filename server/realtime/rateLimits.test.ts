import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import { EnvError, parseEnv } from '../env.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import type { Tenant } from '../storage/schema.js';

describe('realtime abuse limits: per address, per visitor, per tenant', () => {
  let t: TestParley;
  let tenant: Tenant;
  const sockets: TestSocket[] = [];
  const start = async (limits: string) => {
    t = await startTestParley({ listen: true, env: { RATE_LIMITS: limits } });
    tenant = await makeTenant(t);
  };
  const open = async (path: '/ws/visitor' | '/ws/agent' = '/ws/visitor', cookie?: string) => {
    const s = await TestSocket.open(t, path, cookie ? { cookie } : {});
    sockets.push(s);
    return s;
  };
  const hello = async (token: string) => {
    const s = await open();
    s.send({ type: 'hello', token });
    return s;
  };
  const refused = async (s: TestSocket, what: RegExp) => {
    const err = await s.next('error');
    expect(err.code).toBe('rate_limited');
    expect(err.message).toMatch(what);
    expect((await s.closed).code).toBe(CLOSE.RATE_LIMITED);
  };
  const count = async () => Number((await t.ctx.storage.db.selectFrom('messages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);

  it('limits connections per address, before any credentials are read', async () => {
    await start('connectionsPerAddress=3');
    for (let i = 0; i < 3; i++) {
      const { token } = await visitorSession(t, tenant);
      await (await hello(token)).next('ready');
    }
    await refused(await open(), /connections from your address \(limit 3 per minute\)/);
  });

  it('limits connections per visitor', async () => {
    await start('connectionsPerVisitor=2');
    const { token } = await visitorSession(t, tenant);
    await (await hello(token)).next('ready');
    await (await hello(token)).next('ready');
    await refused(await hello(token), /connections for this visitor/);
    // Another visitor is not affected.
    const other = await visitorSession(t, tenant);
    await (await hello(other.token)).next('ready');
  });

  it('limits connections per tenant, visitors and agents alike', async () => {
    await start('connectionsPerTenant=2');
    for (let i = 0; i < 2; i++) await (await hello((await visitorSession(t, tenant)).token)).next('ready');
    await refused(await hello((await visitorSession(t, tenant)).token), /connections for this tenant/);
    const agent = await makeAgent(t, tenant);
    const { cookie } = await login(t, agent);
    await refused(await open('/ws/agent', cookie), /connections for this tenant/);
    // Another tenant is not affected.
    const other = await makeTenant(t);
    await (await hello((await visitorSession(t, other)).token)).next('ready');
  });

  it('limits messages per visitor: the send is refused with its clientId and the socket stays usable', async () => {
    await start('messagesPerVisitor=3');
    const s = await hello((await visitorSession(t, tenant)).token);
    await s.next('ready');
    for (let i = 0; i < 3; i++) {
      s.send({ type: 'message.send', clientId: `m${i}`, body: `hi ${i}` });
      await s.next('ack');
    }
    s.send({ type: 'message.send', clientId: 'm3', body: 'one too many' });
    const err = await s.next('error');
    expect(err).toMatchObject({ code: 'rate_limited', clientId: 'm3' });
    expect(err.message).toMatch(/messages from this visitor \(limit 3 per minute\)/);
    s.send({ type: 'ping' });
    await s.next('pong');
    expect(await count()).toBe(3);
  });

  it('limits messages per address across visitors', async () => {
    await start('messagesPerAddress=4');
    const a = await hello((await visitorSession(t, tenant)).token);
    const b = await hello((await visitorSession(t, tenant)).token);
    await a.next('ready');
    await b.next('ready');
    for (let i = 0; i < 2; i++) {
      a.send({ type: 'message.send', clientId: `a${i}`, body: 'a' });
      await a.next('ack');
      b.send({ type: 'message.send', clientId: `b${i}`, body: 'b' });
      await b.next('ack');
    }
    b.send({ type: 'message.send', clientId: 'b9', body: 'b' });
    expect(await b.next('error')).toMatchObject({ code: 'rate_limited', clientId: 'b9' });
    expect(await count()).toBe(4);
  });

  it('limits messages per tenant, agents included', async () => {
    await start('messagesPerTenant=2');
    const v = await hello((await visitorSession(t, tenant)).token);
    await v.next('ready');
    v.send({ type: 'message.send', clientId: 'v1', body: 'hello' });
    const { message } = await v.next('ack');
    const agent = await makeAgent(t, tenant);
    const { cookie } = await login(t, agent);
    const a = await open('/ws/agent', cookie);
    a.send({ type: 'hello' });
    await a.next('ready');
    a.send({ type: 'message.send', clientId: 'x1', conversationId: message.conversationId, body: 'hi' });
    await a.next('ack');
    a.send({ type: 'message.send', clientId: 'x2', conversationId: message.conversationId, body: 'again' });
    const err = await a.next('error');
    expect(err).toMatchObject({ code: 'rate_limited', clientId: 'x2' });
    expect(err.message).toMatch(/messages for this tenant/);
    // Another tenant still writes.
    const other = await makeTenant(t);
    const w = await hello((await visitorSession(t, other)).token);
    await w.next('ready');
    w.send({ type: 'message.send', clientId: 'w1', body: 'fine' });
    await w.next('ack');
  });

  it('RATE_LIMITS is parsed at boot: defaults, overrides, off, and every mistake listed', () => {
    const base = { DATA_DIR: '/tmp/parley-env-test' };
    expect(parseEnv(base).rateLimits).toEqual(LIMITS.rate);
    expect(parseEnv({ ...base, RATE_LIMITS: 'messagesPerVisitor=120' }).rateLimits).toEqual({ ...LIMITS.rate, messagesPerVisitor: 120 });
    expect(parseEnv({ ...base, RATE_LIMITS: 'off' }).rateLimits).toBeNull();
    try {
      parseEnv({ ...base, RATE_LIMITS: 'bogus=1,messagesPerVisitor=-2' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      expect((err as EnvError).problems.join('\n')).toMatch(/unknown limit "bogus"[\s\S]*messagesPerVisitor must be a positive integer/);
    }
  });
});
