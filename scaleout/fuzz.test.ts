/**
 * Fuzz: ≥10,000 random and malformed WebSocket frames and ≥10,000 random HTTP bodies against one
 * node (in-process, SQLite). The node stays up, every answer is a well-formed error or success (never
 * `internal`, never a 500), and memory after GC stays bounded.
 */
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../protocol/closeCodes.js';
import { ERROR_CODES } from '../protocol/errorCodes.js';
import { LIMITS } from '../protocol/limits.js';
import { cleanupTestParley, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../server/testing/testParley.js';
import type { Tenant } from '../server/storage/schema.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const FRAMES = 10_000;
const BODIES = 10_000;
const SERVER_FRAME_TYPES = new Set(['ready', 'ack', 'message', 'conversation', 'typing', 'history', 'error', 'pong']);
const SERVER_CLOSE_CODES = new Set<number>([...Object.values(CLOSE), 1005, 1006]);

const clientId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), fc.string({ maxLength: 80 }));
/** Frames that look almost right: a real type with random, missing, extra or wrongly typed fields. */
const nearValid = fc.record(
  {
    type: fc.constantFrom('hello', 'message.send', 'typing', 'history', 'ping', 'teleport', ''),
    clientId,
    body: fc.oneof(fc.string({ maxLength: 200 }), fc.integer(), fc.constant(''), fc.constant('x'.repeat(LIMITS.maxMessageChars + 1)), fc.constant('4242 4242 4242 4242')),
    conversationId: fc.oneof(fc.string({ maxLength: 70 }), fc.constant(null)),
    token: fc.string({ maxLength: 600 }),
    lastSeq: fc.oneof(fc.integer(), fc.double(), fc.string()),
    lastSeqs: fc.dictionary(fc.string({ maxLength: 70 }), fc.oneof(fc.integer(), fc.string())),
    on: fc.oneof(fc.boolean(), fc.string()),
    afterSeq: fc.oneof(fc.integer(), fc.string()),
    internal: fc.anything(),
    extra: fc.anything(),
  },
  { requiredKeys: ['type'] },
);
const frameArb = fc.oneof(
  { weight: 4, arbitrary: nearValid.map((f) => JSON.stringify(f)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"type":', '[]', 'null', '{"type":"message.send"}', '{"type":"ping","x":1}', '{"type":"hello","token":"' + 'a'.repeat(600) + '"}') },
);

const bodyArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ key: fc.string({ maxLength: 80 }), token: fc.string(), name: fc.anything(), email: fc.oneof(fc.emailAddress(), fc.string()), page: fc.string({ maxLength: 3000 }), clientId, body: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()), internal: fc.anything(), agentId: fc.oneof(fc.string(), fc.constant(null)), password: fc.string({ maxLength: 40 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 500, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', 'x'.repeat(LIMITS.maxHttpBodyBytes + 10)) },
);

describe('fuzz: random and malformed input never crashes a node', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agentHeaders: Record<string, string>;
  let conversationId: string;
  beforeAll(async () => {
    t = await startTestParley({ listen: true, env: { RATE_LIMITS: 'off' } });
    tenant = await makeTenant(t);
    const agent = await makeAgent(t, tenant, 'admin');
    agentHeaders = (await login(t, agent)).headers;
    const { token } = await visitorSession(t, tenant);
    const s = await TestSocket.open(t, '/ws/visitor');
    s.send({ type: 'hello', token });
    await s.next('ready');
    s.send({ type: 'message.send', clientId: 'seed', body: 'seed' });
    conversationId = (await s.next('ack')).message.conversationId;
    s.close();
  });
  afterAll(async () => {
    await cleanupTestParley(t);
  });

  it(`${FRAMES} random WebSocket frames: only well-formed answers, the node keeps serving`, async () => {
    const frames = fc.sample(frameArb, { numRuns: FRAMES, seed: 4242 });
    const { token } = await visitorSession(t, tenant);
    const perSocket = LIMITS.framesPerSecond - 2; // hello + frames stay inside the token bucket
    const batches: Array<Array<string | Buffer>> = [];
    for (let i = 0; i < frames.length; i += perSocket) batches.push(frames.slice(i, i + perSocket));
    const bad: string[] = [];
    let answers = 0;
    let heapWarm = 0;
    const runBatch = async (batch: Array<string | Buffer>, i: number) => {
      const s = await TestSocket.open(t, '/ws/visitor');
      const raw = s.ws;
      const received: unknown[] = [];
      raw.removeAllListeners('message');
      raw.on('message', (d) => received.push(String(d)));
      if (i % 5 !== 0) raw.send(JSON.stringify({ type: 'hello', token })); // every fifth socket never says hello
      for (const f of batch) raw.send(f);
      await Promise.race([s.closed, new Promise((r) => setTimeout(r, 150))]);
      raw.close();
      const { code } = await s.closed;
      if (!SERVER_CLOSE_CODES.has(code)) bad.push(`close code ${code}`);
      for (const text of received as string[]) {
        answers++;
        let f: { type?: unknown; code?: unknown; message?: unknown };
        try {
          f = JSON.parse(text);
        } catch {
          bad.push(`not JSON: ${text.slice(0, 80)}`);
          continue;
        }
        if (typeof f.type !== 'string' || !SERVER_FRAME_TYPES.has(f.type)) bad.push(`unknown frame ${text.slice(0, 80)}`);
        if (f.type === 'error' && (!ERROR_CODES.includes(f.code as never) || typeof f.message !== 'string' || f.code === 'internal')) bad.push(`bad error ${text.slice(0, 120)}`);
      }
    };
    const concurrency = 16;
    for (let i = 0; i < batches.length; i += concurrency) {
      await Promise.all(batches.slice(i, i + concurrency).map((b, k) => runBatch(b, i + k)));
      if (i === concurrency * 4) heapWarm = heapAfterGc();
    }
    const heapEnd = heapAfterGc();
    expect(bad.slice(0, 10)).toEqual([]);
    expect(answers).toBeGreaterThan(FRAMES / 2);
    expect(heapEnd - heapWarm, `heap grew ${((heapEnd - heapWarm) / 1e6).toFixed(1)} MB`).toBeLessThan(32 * 1024 * 1024);
    // Still serving.
    const s = await TestSocket.open(t, '/ws/visitor');
    s.send({ type: 'hello', token: (await visitorSession(t, tenant)).token });
    await s.next('ready');
    s.send({ type: 'message.send', clientId: 'after-fuzz', body: 'still here' });
    expect((await s.next('ack')).message.body).toBe('still here');
    s.close();
    console.log(`fuzz ws: ${frames.length} frames on ${batches.length} sockets, ${answers} answers, heap ${(heapWarm / 1e6).toFixed(1)} -> ${(heapEnd / 1e6).toFixed(1)} MB`);
  }, 90_000);

  it(`${BODIES} random HTTP bodies to the JSON endpoints: well-formed errors or successes, never a 500`, async () => {
    const bodies = fc.sample(bodyArb, { numRuns: BODIES, seed: 777 });
    const targets = [
      { url: '/api/widget/session', headers: {} },
      { url: '/api/auth/login', headers: {} },
      { url: `/api/conversations/${conversationId}/messages`, headers: agentHeaders },
      { url: `/api/conversations/${conversationId}/assign`, headers: agentHeaders },
      { url: '/api/conversations/conv_nope/messages', headers: agentHeaders },
      { url: `/api/conversations/${conversationId}/resolve`, headers: agentHeaders },
      { url: `/api/conversations/${conversationId}/reopen`, headers: agentHeaders },
    ];
    const contentTypes = ['application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'];
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let heapWarm = 0;
    for (const [i, body] of bodies.entries()) {
      const target = targets[i % targets.length]!;
      const res = await t.app.inject({ method: 'POST', url: target.url, headers: { ...target.headers, 'content-type': contentTypes[i % contentTypes.length]! }, payload: body });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) bad.push(`${res.statusCode} ${target.url} ${body.slice(0, 100)} -> ${res.body.slice(0, 200)}`);
      if (res.statusCode >= 400) {
        const code = (() => {
          try {
            return (res.json() as { error?: { code?: string; message?: unknown } }).error;
          } catch {
            return undefined;
          }
        })();
        if (!code || !ERROR_CODES.includes(code.code as never) || typeof code.message !== 'string') bad.push(`malformed error ${res.statusCode}: ${res.body.slice(0, 120)}`);
      } else if (res.statusCode !== 204) {
        try {
          res.json();
        } catch {
          bad.push(`non-JSON success ${res.statusCode}`);
        }
      }
      if (i === 1000) heapWarm = heapAfterGc();
    }
    const heapEnd = heapAfterGc();
    expect(bad.slice(0, 10)).toEqual([]);
    expect(heapEnd - heapWarm, `heap grew ${((heapEnd - heapWarm) / 1e6).toFixed(1)} MB`).toBeLessThan(32 * 1024 * 1024);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    console.log(`fuzz http: ${bodies.length} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}, heap ${(heapWarm / 1e6).toFixed(1)} -> ${(heapEnd / 1e6).toFixed(1)} MB`);
  }, 90_000);
});
