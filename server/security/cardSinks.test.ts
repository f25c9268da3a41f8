/**
 * Every sink, every card: card numbers typed in every separator and digit form go into every input
 * a visitor or an agent has (through the real server: HTTP and WebSocket), and then every sink is
 * read — database rows (sealed fields opened) and the database's raw bytes (SQLite files, PostgreSQL
 * rows as text), log lines at trace level, the emails that reached a real SMTP server, the bodies a
 * webhook receiver got, exports (GDPR, reports CSV, exposure report), audit entries. None may hold
 * 13 or more of a card's digits in order. Runs on SQLite and on PostgreSQL.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { sql } from 'kysely';
import { cleanupTestParley, dropSchemas, login, mainTables, makeAgent, makeTenant, startTestParley, TEST_PASSWORD, TestSocket, type LoggedIn, type TestParley } from '../testing/testParley.js';
import { SmtpSink, type ReceivedMail } from '../testing/smtpSink.js';
import { pngWith, pdfWith } from '../testing/fileFixtures.js';
import { loggerOptions } from '../app.js';
import { isSealed } from './keyring.js';
import { aadFor } from './sealedFields.js';
import { createWebhook } from '../commands/webhookCreator.js';
import { DIGIT_FORMS, SEPARATORS, TEST_CARDS, digitStream, holdsCardDigits, typed } from '../../protocol/redactionCorpus.js';
import type { Tenant } from '../storage/schema.js';

const SHOP = 'https://shop.example';

/**
 * Cards whose digits are distinctive (no run of five equal digits: thirteen zeros in a row are in any
 * database for other reasons), typed so that together they cover every separator and digit form.
 */
const DISTINCT = TEST_CARDS.filter((c) => !/(\d)\1{4}/.test(c.pan));
const CASES = Array.from({ length: SEPARATORS.length + 2 }, (_, k) => {
  const c = DISTINCT[k % DISTINCT.length]!;
  const sep = SEPARATORS[k % SEPARATORS.length]!;
  const form = DIGIT_FORMS[k % DIGIT_FORMS.length]!;
  return { pan: c.pan, text: typed(c.pan, sep.seps, form.zero), label: `${c.brand} ${sep.name} ${form.name}` };
});

/** Every string inside a JSON-like value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(k), strings(x, out);
  return out;
}

/** MIME encoded words and base64 bodies decoded, so a leak cannot hide in an encoding. */
function mailText(m: ReceivedMail): string {
  let text = m.text.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_w, enc: string, data: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
  );
  if (/content-transfer-encoding:\s*base64/i.test(text)) {
    const body = text.split(/\r?\n\r?\n/).slice(1).join('\n').replace(/\s+/g, '');
    text += '\n' + Buffer.from(body, 'base64').toString('utf8');
  }
  // Quoted-printable bytes of UTF-8 characters decoded as such.
  return text + '\n' + Buffer.from(text, 'latin1').toString('utf8');
}

describe('no sink holds a card number', () => {
  let smtp: SmtpSink;
  let receiver: Server;
  let hookBodies: string[];
  let logLines: string[];
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;
  let agentIn: LoggedIn;

  beforeEach(async () => {
    smtp = await SmtpSink.start();
    hookBodies = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        hookBodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    logLines = [];
    const logger = pino(loggerOptions('trace'), { write: (line: string) => void logLines.push(line) });
    t = await startTestParley({ listen: true, env: { SMTP_URL: smtp.url, LOG_LEVEL: 'trace', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' }, logger });
    tenant = await makeTenant(t, { allowedOrigins: [SHOP] });
    const adminAgent = await makeAgent(t, tenant, 'admin');
    admin = await login(t, adminAgent);
    agentIn = await login(t, await makeAgent(t, tenant));
    const port = (receiver.address() as { port: number }).port;
    await createWebhook(t.ctx, tenant.id, { url: `http://127.0.0.1:${port}/hook`, events: ['*'] }, { kind: 'agent', id: adminAgent.id, credential: 'test', address: null });
  });
  afterEach(async () => {
    await cleanupTestParley(t);
    await smtp.stop();
    await new Promise((r) => receiver.close(r));
  });
  afterAll(dropSchemas);

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, payload: payload as object, headers });

  /** Everything every sink holds, as texts to search. */
  async function sinks(): Promise<Record<string, string[]>> {
    const db = t.ctx.storage.db;
    const rows: string[] = [];
    const raw: string[] = [];
    for (const table of await mainTables(t)) {
      for (const row of (await db.selectFrom(table as never).selectAll().execute()) as Array<Record<string, unknown>>) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value !== 'string') continue;
          if (!isSealed(value)) {
            rows.push(value);
            continue;
          }
          // Sealed: opened with its row's key (the row id, or the conversation/visitor it is keyed by).
          const tenantId = String(row.tenant_id);
          for (const id of [row.id, row.conversation_id, row.visitor_id].filter((x): x is string => typeof x === 'string')) {
            const opened = await t.ctx.keyring.open(tenantId, aadFor(tenantId, table, column, id), value).catch(() => null);
            if (opened !== null) rows.push(...strings(safeJson(opened)), opened);
          }
        }
      }
      if (t.ctx.storage.dialect === 'postgres') {
        const r = await sql<{ j: string }>`select row_to_json(x)::text as j from ${sql.table(table)} x`.execute(db);
        for (const { j } of r.rows) raw.push(...strings(JSON.parse(j)));
      }
    }
    if (t.ctx.storage.dialect === 'sqlite') {
      for (const f of readdirSync(t.dataDir)) if (/\.(db|sqlite)(-wal|-shm)?$|\.db-journal$/.test(f)) raw.push(readFileSync(join(t.dataDir, f)).toString('utf8'));
    }
    const logs = logLines.flatMap((l) => strings(JSON.parse(l)));
    const visitors = (await db.selectFrom('visitors').select('id').where('tenant_id', '=', tenant.id).execute()).map((v) => v.id);
    const exports: string[] = [];
    for (const id of visitors) exports.push((await t.app.inject({ url: `/api/visitors/${id}/export`, headers: admin.headers })).body);
    exports.push((await t.app.inject({ url: '/api/reports/export.csv?table=volume', headers: admin.headers })).body);
    exports.push((await t.app.inject({ url: '/api/admin/exposure?format=csv&from=2000-01-01T00:00:00Z', headers: admin.headers })).body);
    exports.push((await t.app.inject({ url: '/api/admin/exposure?format=json&from=2000-01-01T00:00:00Z', headers: admin.headers })).body);
    const mails: string[] = [];
    for (;;) {
      const m = await smtp.next(300).catch(() => null);
      if (!m) break;
      mails.push(mailText(m));
    }
    await t.webhooks.tick();
    return { 'database rows (opened)': rows, 'database raw bytes': raw, logs, emails: mails, webhooks: hookBodies.flatMap((b) => [b, ...strings(safeJson(b))]), exports };
  }

  function leaks(all: Record<string, string[]>): string[] {
    const found: string[] = [];
    for (const [sink, texts] of Object.entries(all))
      for (const text of texts) {
        // Separators and invisible characters between digits are dropped; anything else breaks a run.
        const stream = digitStream(text, false);
        if (stream.length < 13) continue;
        for (const c of CASES) if (holdsCardDigits(stream, c.pan, 13, false)) found.push(`${sink}: ${c.label}: ${JSON.stringify(text.slice(0, 2000))}`);
      }
    return found;
  }

  type Case = (typeof CASES)[number];
  const OTHER_INPUTS: Array<(k: number, c: Case, conversationId: string, bearer: Record<string, string>) => Promise<void>> = [
    // The agent: a private note with the card in it.
    async (k, c, conversationId) => {
      const note = await post(`/api/conversations/${conversationId}/messages`, { clientId: `n${k}`, body: `note ${c.text}`, internal: true }, agentIn.headers);
      expect([200, 201]).toContain(note.statusCode);
    },
    // Rating comment, and the transcript by email.
    async (k, c, conversationId, bearer) => {
      expect((await post('/api/widget/rating', { conversationId, rating: 4, comment: `thanks ${c.text}` }, bearer)).statusCode).toBe(200);
      expect((await post('/api/widget/transcript', { conversationId, email: `ann${k}@example.com` }, bearer)).statusCode).toBe(200);
    },
    // A file with the card in its name and its metadata; a PDF with it in its title is refused.
    async (_k, c, _conversationId, bearer) => {
      const png = await t.app.inject({ method: 'POST', url: `/api/widget/attachments?name=${encodeURIComponent(`card ${c.text}.png`)}`, headers: { 'content-type': 'application/octet-stream', ...bearer }, payload: pngWith(`card ${c.text}`) });
      expect(png.statusCode, png.body).toBe(201);
      const disposition = (await t.app.inject({ url: (png.json() as { attachment: { url: string } }).attachment.url })).headers['content-disposition'];
      expect(holdsCardDigits(decodeURIComponent(String(disposition)), c.pan, 13, false), String(disposition)).toBe(false);
      const pdf = await t.app.inject({ method: 'POST', url: '/api/widget/attachments?name=doc.pdf', headers: { 'content-type': 'application/octet-stream', ...bearer }, payload: pdfWith({ info: c.text }) });
      expect(pdf.statusCode).toBe(400);
    },
    // Leave a message (offline form): stored, and emailed to the team.
    async (k, c) => {
      const offline = await post('/api/widget/offline-message', { key: tenant.widget_key, name: `Olga ${c.text}`, email: `olga${k}@example.com`, body: `card ${c.text} exp 12/27 cvv 123` });
      expect(offline.statusCode, offline.body).toBe(201);
    },
    // A CSP report whose blocked address carries the card.
    async (_k, c) => {
      const report = { 'document-uri': `${SHOP}/checkout`, 'blocked-uri': `https://${c.text.replace(/\D/g, '')}.evil.example/x?c=${encodeURIComponent(c.text)}`, 'violated-directive': 'connect-src', 'effective-directive': 'connect-src', 'original-policy': "default-src 'self'", disposition: 'enforce', 'status-code': 200 };
      const csp = await post(`/api/csp/${await cspKey()}`, { 'csp-report': report }, { 'content-type': 'application/csp-report' });
      expect([200, 201, 204]).toContain(csp.statusCode);
    },
  ];

  it('every input, every sink, every typed form', { timeout: 400_000 }, async () => {
    for (const [k, c] of CASES.entries()) {
      // Pre-chat: name and the page it was opened on, with the card in them.
      const session = await post('/api/widget/session', { key: tenant.widget_key, name: `Ann ${c.text}`, email: `ann${k}@example.com`, page: `${SHOP}/pay?pan=${encodeURIComponent(c.text)}` });
      expect(session.statusCode, session.body).toBe(200);
      const { token } = session.json() as { token: string };
      const bearer = { authorization: `Bearer ${token}` };
      // Messages over the real socket: whole, and split over two messages.
      const sock = await TestSocket.open(t, '/ws/visitor');
      sock.send({ type: 'hello', token });
      await sock.next('ready');
      sock.send({ type: 'message.send', clientId: `m${k}`, body: `my card is ${c.text} cvv 123` });
      const ack = await sock.next('ack');
      const chars = Array.from(c.text);
      const half = Math.floor(chars.length / 2);
      sock.send({ type: 'message.send', clientId: `a${k}`, body: `and again: ${chars.slice(0, half).join('')}` });
      await sock.next((f) => f.type === 'ack' && f.clientId === `a${k}`);
      sock.send({ type: 'message.send', clientId: `b${k}`, body: chars.slice(half).join('') });
      await sock.next((f) => f.type === 'ack' && f.clientId === `b${k}`);
      // The earlier part is replaced on the visitor's screen too.
      await sock.next((f) => f.type === 'message' && f.message.clientId === `a${k}`);
      sock.close();
      const conversationId = ack.message.conversationId as string;
      // The other inputs take turns (each gets every fifth typed form): the redactor is the same
      // everywhere (its forms are measured in protocol/redactionCorpus.test.ts); this is about reach.
      await OTHER_INPUTS[k % OTHER_INPUTS.length]!(k, c, conversationId, bearer);
    }
    // An email address holding a card is refused, and changes nothing.
    const bad = await post('/api/widget/session', { key: tenant.widget_key, email: `${CASES[0]!.pan}@example.com` });
    expect(bad.statusCode).toBe(400);
    await t.contactCentre.idle();

    const all = await sinks();
    // Control: the sinks were reached (mail, webhooks, logs at trace, rows).
    expect(all.emails.length).toBeGreaterThanOrEqual(Math.floor(CASES.length / 5) * 2);
    expect(all.webhooks.length).toBeGreaterThan(CASES.length);
    expect(all.logs.length).toBeGreaterThan(0);
    expect(all['database rows (opened)'].some((r) => r.includes('[card ••••'))).toBe(true);
    expect(leaks(all)).toEqual([]);
  });

  it('forms found by red-teaming the redactor (issue 15): encodings, symbols, compatibility digits, neighbours, many messages, headers', { timeout: 200_000 }, async () => {
    const pan = (k: number) => DISTINCT[k % DISTINCT.length]!.pan;
    const spaced = (k: number, sep: string) => pan(k).match(/.{1,4}/g)!.join(sep);
    const circled = (s: string) => s.replace(/[1-9]/g, (d) => String.fromCodePoint(0x2460 + Number(d) - 1)).replace(/0/g, '\u24ea');
    // An agent signs in from a browser whose User-Agent carries a card (stored with the session).
    const ua = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: (await makeAgent(t, tenant)).email, password: TEST_PASSWORD }, headers: { 'user-agent': `Mozilla/5.0 (card ${spaced(0, '\u2022')})` } });
    expect(ua.statusCode, ua.body).toBe(200);
    const session = await post('/api/widget/session', { key: tenant.widget_key, name: `Ann ${spaced(1, '&#32;')}`, email: 'red@example.com', page: `${SHOP}/x?c=${pan(2).replace(/[0-9]/g, (d) => '%3' + d)}` }, { 'user-agent': `Bot/1 ${circled(spaced(3, ' '))}` });
    expect(session.statusCode, session.body).toBe(200);
    const { token } = session.json() as { token: string };
    const bearer = { authorization: `Bearer ${token}` };
    const sock = await TestSocket.open(t, '/ws/visitor');
    sock.send({ type: 'hello', token });
    await sock.next('ready');
    const bodies = [
      `card ${pan(4).replace(/[0-9]/g, (d) => `&#${48 + Number(d)};`)}`,
      JSON.stringify({ pan: spaced(5, '\t') }).replace(/[0-9]/g, (d) => '\\u003' + d),
      `pay ${spaced(6, '|')} / ${spaced(7, ', ')} / ${spaced(8, '+')}`,
      `order 12345 ${spaced(9, ' ')}`,
      `${spaced(10, ' ')} 90210`,
      `${spaced(11, '\u200b'.repeat(16))}`,
      `${pan(12).replace(/[0-9]/g, (d) => '\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u2070'[(Number(d) + 9) % 10]!)} superscript`,
      ...pan(13).match(/.{1,3}/g)!, // one card over six messages
    ];
    let conversationId = '';
    for (const [k, body] of bodies.entries()) {
      sock.send({ type: 'message.send', clientId: `r${k}`, body });
      conversationId = (await sock.next((f) => f.type === 'ack' && f.clientId === `r${k}`)).message.conversationId as string;
    }
    // A client id is stored with its message: one holding a card is refused, as over HTTP.
    sock.send({ type: 'message.send', clientId: spaced(0, '.'), body: 'hello' });
    expect((await sock.next('error')).code).toBe('validation_failed');
    sock.close();
    // The card over six messages: the conversation, read as one text, no longer holds it.
    const listed = await t.app.inject({ url: `/api/conversations/${conversationId}/messages`, headers: admin.headers });
    const transcript = (listed.json() as { items: Array<{ body: string }> }).items.map((m) => m.body).join('');
    expect(transcript).toContain('[card ••••');
    expect(holdsCardDigits(transcript, pan(13), 13, false), transcript).toBe(false);
    // A file name whose semicolons the name cleaner removes after redaction.
    const png = await t.app.inject({ method: 'POST', url: `/api/widget/attachments?name=${encodeURIComponent(`card ${spaced(14, ';')}.png`)}`, headers: { 'content-type': 'application/octet-stream', ...bearer }, payload: pngWith('x') });
    expect(png.statusCode, png.body).toBe(201);
    await t.contactCentre.idle();
    const all = await sinks();
    expect(all['database rows (opened)'].some((r) => r.includes('[card ••••'))).toBe(true);
    expect(leaks(all)).toEqual([]);
  });

  let cachedKey: string | null = null;
  async function cspKey(): Promise<string> {
    if (cachedKey) return cachedKey;
    const res = await t.app.inject({ url: '/api/tenant/csp', headers: admin.headers });
    cachedKey = /\/api\/csp\/([A-Za-z0-9_-]+)/.exec((res.json() as { reportUrl: string }).reportUrl)![1]!;
    return cachedKey;
  }
  afterEach(() => {
    cachedKey = null;
  });
});

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
