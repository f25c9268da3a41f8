import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { MAX_ATTACHMENT_BYTES } from '../../commands/attachmentStorer.js';
import { createMessage } from '../../commands/messageCreator.js';
import { LIMITS } from '../../../protocol/limits.js';
import { CSP_LIMITS } from '../../../protocol/csp.js';
import { DRAIN_MAX_BYTES } from '../../refusedBody.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../../testing/testParley.js';

/**
 * Oversized and refused uploads get a clean answer over a real socket, from a client that writes
 * its whole body before it reads (as a browser's fetch effectively does): the server must read
 * the body before it answers and closes, or the client sees a connection reset instead of a 413.
 */
describe('refused uploads are answered cleanly, never reset', () => {
  let t: TestParley;
  let visitorAuth: string;
  let agentHeaders: Record<string, string>;
  let conversationId: string;

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    const tenant = await makeTenant(t);
    const visitor = await visitorSession(t, tenant);
    visitorAuth = `Bearer ${visitor.token}`;
    agentHeaders = (await login(t, await makeAgent(t, tenant))).headers;
    conversationId = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: visitor.visitorId }, { clientId: 'c1', body: 'hi' })).message.conversationId;
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const pdf = (size: number) => {
    const bytes = Buffer.alloc(size, 0x20);
    bytes.write('%PDF-1.4\n');
    return bytes;
  };
  const MB = 1024 * 1024;

  it('around the attachment limit, on both upload routes: exactly the limit is stored, one byte more and 6, 8, 20 MB get 413', async () => {
    const routes = [
      { path: '/api/widget/attachments?name=a.pdf', headers: { authorization: visitorAuth } },
      { path: `/api/attachments?conversationId=${conversationId}&name=a.pdf`, headers: agentHeaders },
    ];
    for (const route of routes) {
      expect(await sendAll(t, route.path, pdf(MAX_ATTACHMENT_BYTES - 1), route.headers)).toMatchObject({ status: 201 });
      expect((await sendAll(t, route.path, pdf(MAX_ATTACHMENT_BYTES), route.headers)).status).toBe(201);
      for (const size of [MAX_ATTACHMENT_BYTES + 1, 6 * MB, 8 * MB, 20 * MB]) {
        for (const chunked of [false, true]) {
          const res = await sendAll(t, route.path, pdf(size), route.headers, { chunked });
          expect(res, `${route.path.split('?')[0]} ${size} bytes${chunked ? ' chunked' : ''}`).toMatchObject({ writeError: null, status: 413 });
          expect(res.body).toMatchObject({ error: { code: 'payload_too_large', message: `body larger than ${MAX_ATTACHMENT_BYTES} bytes` } });
        }
      }
    }
  });

  it('a multipart form posted to a raw upload route, or an upload without credentials, is refused cleanly', async () => {
    const form = Buffer.concat([Buffer.from('--b\r\ncontent-disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'), pdf(3 * MB), Buffer.from('\r\n--b--\r\n')]);
    const multipart = await sendAll(t, '/api/widget/attachments?name=a.pdf', form, { authorization: visitorAuth, 'content-type': 'multipart/form-data; boundary=b' });
    expect(multipart).toMatchObject({ writeError: null, status: 400 });
    const anonymous = await sendAll(t, '/api/widget/attachments?name=a.pdf', pdf(6 * MB), {});
    expect(anonymous).toMatchObject({ writeError: null, status: 413 });
    const unknown = await sendAll(t, '/api/no-such-upload', pdf(3 * MB), {});
    expect(unknown).toMatchObject({ writeError: null, status: 404 });
  });

  it('JSON and CSP report bodies over their limits get 413 with their own limit named', async () => {
    const json = Buffer.from(JSON.stringify({ key: 'x'.repeat(LIMITS.maxHttpBodyBytes) }));
    const session = await sendAll(t, '/api/widget/session', json, { 'content-type': 'application/json' });
    expect(session).toMatchObject({ writeError: null, status: 413, body: { error: { message: `body larger than ${LIMITS.maxHttpBodyBytes} bytes` } } });
    const report = Buffer.from(JSON.stringify({ 'csp-report': { 'blocked-uri': 'x'.repeat(CSP_LIMITS.maxBodyBytes * 4) } }));
    const csp = await sendAll(t, '/api/csp/unknownkey00000000', report, { 'content-type': 'application/csp-report' });
    expect(csp).toMatchObject({ writeError: null, status: 413, body: { error: { message: `body larger than ${CSP_LIMITS.maxBodyBytes} bytes` } } });
  });

  it('a body declared far larger than the drain bound is answered at once, without waiting for it', async () => {
    const res = await sendAll(t, '/api/widget/attachments?name=a.pdf', pdf(64 * 1024), { authorization: visitorAuth }, { declaredLength: DRAIN_MAX_BYTES + MAX_ATTACHMENT_BYTES });
    expect(res.status).toBe(413);
  });
});

/**
 * Writes the request line, headers and whole body, then reads the answer until the server closes.
 * `writeError` is what writing the body ran into (EPIPE / ECONNRESET when the server hung up on it).
 */
async function sendAll(
  t: TestParley,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
  opts: { chunked?: boolean; declaredLength?: number } = {},
): Promise<{ status: number; body: unknown; writeError: string | null }> {
  const { port } = new URL(t.url);
  const allHeaders: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    connection: 'close',
    'content-type': 'application/octet-stream',
    ...(opts.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(opts.declaredLength ?? body.length) }),
    ...headers,
  };
  const head = [`POST ${path} HTTP/1.1`, ...Object.entries(allHeaders).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  const payload = opts.chunked ? Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
  const socket = connect(Number(port), '127.0.0.1');
  let received = Buffer.alloc(0);
  let writeError: string | null = null;
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  await new Promise<void>((resolve) => {
    socket.on('error', (err: NodeJS.ErrnoException) => (writeError ??= err.code ?? err.message));
    socket.on('close', () => resolve());
    // No half-close after the body (Node's server would abort the request): `connection: close` ends it.
    socket.write(Buffer.concat([Buffer.from(head + '\r\n\r\n'), payload]), (err) => {
      if (err) writeError ??= (err as NodeJS.ErrnoException).code ?? err.message;
    });
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
  const text = received.toString();
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const json = text.slice(text.indexOf('\r\n\r\n') + 4);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = json.slice(0, 200);
  }
  return { status, body: parsed, writeError };
}
