/**
 * A customer of a tenant with every kind of personal data Parley holds about them, each carrying a
 * unique marker word, for the class-level access-audit test (routes/docs/auditAsEnforced.test.ts):
 * a response that contains a marker carries that data, whatever route answered it. Made through
 * the same routes and commands a real shop and its agents use, by a colleague (never by the
 * credential under test, so its audit entries are the operation's own). The live paths' audit tests
 * seed the same way, on the node and tenant liveAuditFixture sets up.
 */
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { createMessage } from '../commands/messageCreator.js';
import { handleOf } from '../commands/mentionRecorder.js';
import { randomToken } from '../security/ids.js';
import { identityHash } from '../security/visitorIdentity.js';
import type { Agent, Tenant } from '../storage/schema.js';
import { pdfWith } from './fileFixtures.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, type LoggedIn, type TestParley } from './testParley.js';
import '../storage/contactSchema.js';
import '../storage/productivitySchema.js';

/** What a marker found in a response says was exposed, so which audit entry must name what. */
export type MarkerKind = 'conversation' | 'visitor' | 'contact_note';

export interface Customer {
  visitorId: string;
  token: string;
  conversationId: string;
  contactId: string;
  /** Another customer's contact (unverified): what a merge moves into the customer's. */
  otherContactId: string;
  attachmentId: string;
  attachmentKey: string;
  mentionId: string;
  /** A second browser that proved the same verified identity: it may read the customer's conversations. */
  device: { token: string; visitorId: string };
  /** Marker word → the kind of data it stands for. */
  markers: Map<string, MarkerKind>;
}

export interface SeedCtx {
  t: TestParley;
  tenant: Tenant;
  /** The agent the credential under test acts as: mentioned in the colleague's note. */
  mentioned: Agent;
  colleague: LoggedIn;
  labelId: string;
  /** The tenant's identity secret: the customer is a verified shopper with a second device. */
  identitySecret: string;
}

let counter = 0;

export async function seedCustomer(s: SeedCtx): Promise<Customer> {
  const { t, tenant, colleague } = s;
  // Lower-case letters and digits only: one word for the search index, unchanged by redaction.
  const n = `${++counter}${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const m = { user: `zquser${n}`, name: `zqname${n}`, email: `zqmail${n}@example.com`, page: `zqpage${n}`, message: `zqmsg${n}`, note: `zqnote${n}`, file: `zqfile${n}`, contactNote: `zqcnote${n}`, rating: `zqrate${n}` };
  const inject = async (method: 'POST' | 'PUT', url: string, payload: unknown, headers: Record<string, string>) => {
    const res = await t.app.inject({ method, url, headers, payload: payload as object });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  const session = async (name: string | undefined, email: string | undefined, page: string, identity?: { userId: string; hash: string }) =>
    (await inject('POST', '/api/widget/session', { key: tenant.widget_key, name, email, page, ...(identity ? { identity } : {}) }, {})) as { token: string; visitorId: string };
  const identity = { userId: m.user, hash: identityHash(s.identitySecret, m.user) };
  const v = await session(`Ada ${m.name}`, m.email, `https://shop.example/${m.page}`, identity);
  const bearer = { authorization: `Bearer ${v.token}` };
  const conversationId = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: v.visitorId }, { clientId: `c${n}`, body: `Where is ${m.message}?` })).message.conversationId;
  const uploadOnce = () => t.app.inject({ method: 'POST', url: `/api/widget/attachments?name=${m.file}.pdf&conversationId=${conversationId}`, headers: { ...bearer, 'content-type': 'application/octet-stream' }, payload: pdfWith() });
  let upload = await uploadOnce();
  if (upload.statusCode === 404) {
    // Seen twice on SQLite in ~150-customer runs (never in 300 in a row alone): the visitor's own
    // conversation, just written, answered "not found" to its upload. Said loudly and retried once,
    // so this test checks the audit, not that race (reported, not fixed here).
    const row = await t.ctx.storage.db.selectFrom('conversations').select(['id', 'visitor_id']).where('id', '=', conversationId).executeTakeFirst();
    console.warn(`auditSeed: upload into ${conversationId} of ${v.visitorId} answered 404; row now ${JSON.stringify(row)}; retrying`);
    await new Promise((r) => setTimeout(r, 100));
    upload = await uploadOnce();
  }
  expect(upload.statusCode, upload.body).toBe(201);
  const url = (upload.json() as { attachment: { id: string; url: string } }).attachment.url;
  const [attachmentId, attachmentKey] = url.split('/').slice(-2) as [string, string];
  await inject('POST', '/api/widget/rating', { conversationId, rating: 4, comment: m.rating }, bearer);
  await inject('POST', `/api/conversations/${conversationId}/messages`, { clientId: `n${n}`, body: `${m.note} @${handleOf(s.mentioned)}`, internal: true }, colleague.headers);
  await inject('PUT', `/api/conversations/${conversationId}/labels/${s.labelId}`, undefined, colleague.headers);
  const db = t.ctx.storage.db;
  const contactId = (await db.selectFrom('visitors').select('contact_id').where('id', '=', v.visitorId).executeTakeFirstOrThrow()).contact_id!;
  await inject('POST', `/api/contacts/${contactId}/notes`, { body: m.contactNote }, colleague.headers);
  const device = await session(undefined, undefined, 'https://shop.example/', identity);
  const other = await session(`Bob other${n}`, '', 'https://shop.example/');
  const otherContactId = (await db.selectFrom('visitors').select('contact_id').where('id', '=', other.visitorId).executeTakeFirstOrThrow()).contact_id!;
  const mentionId = (await db.selectFrom('mentions').select('id').where('conversation_id', '=', conversationId).executeTakeFirstOrThrow()).id;
  const markers = new Map<string, MarkerKind>([
    [m.user, 'visitor'],
    [m.name, 'visitor'],
    [m.email, 'visitor'],
    [m.page, 'visitor'],
    [m.message, 'conversation'],
    [m.note, 'conversation'],
    [m.file, 'conversation'],
    [m.rating, 'conversation'],
    [m.contactNote, 'contact_note'],
  ]);
  return { visitorId: v.visitorId, token: v.token, conversationId, contactId, otherContactId, attachmentId, attachmentKey, mentionId, device, markers };
}

/** What liveAuditFixture hands its test file before each test. */
export interface LiveAudit {
  t: TestParley;
  tenant: Tenant;
  /** For seedCustomer: the tenant's admin is the `mentioned` agent, the key's owner. */
  seed: SeedCtx;
  /** An admin API key of the tenant: the agent socket's credential under test. */
  key: { token: string; id: string };
}

/**
 * The live paths' audit tests (routes/docs/auditLive.test.ts, realtime/auditFailClosed.test.ts): before
 * each test, a listening node with a tenant ready for seedCustomer and an admin API key, handed to
 * `use`; after it, every socket opened with the returned `open` closed and the node cleaned up; after
 * all, the test schemas dropped. `hooks.before` and `hooks.after` run first in each test's before and after.
 */
export function liveAuditFixture(
  use: (live: LiveAudit) => void,
  hooks: { before?: () => void; after?: () => void } = {},
): (path: '/ws/agent' | '/ws/visitor', opts?: { apiKey?: string }) => Promise<TestSocket> {
  let t: TestParley;
  const sockets: TestSocket[] = [];
  beforeEach(async () => {
    hooks.before?.();
    t = await startTestParley({ listen: true });
    const tenant = await makeTenant(t);
    const adminAgent = await makeAgent(t, tenant, 'admin');
    const admin = await login(t, adminAgent);
    const colleague = await login(t, await makeAgent(t, tenant, 'agent'));
    const post = async (url: string, payload: unknown) => (await t.app.inject({ method: 'POST', url, headers: admin.headers, payload: payload as object })).json();
    const created = await post('/api/admin/api-keys', { name: 'live', scopes: ['admin'] });
    const key = { token: created.token, id: created.apiKey.id };
    const labelId = (await post('/api/labels', { name: 'seeded' })).id as string;
    const identitySecret = (await post('/api/contact-settings', { rotateIdentitySecret: true })).identitySecret as string;
    use({ t, tenant, key, seed: { t, tenant, mentioned: adminAgent, colleague, labelId, identitySecret } });
  });
  afterEach(async () => {
    hooks.after?.();
    for (const s of sockets.splice(0)) s.close();
    await cleanupTestParley(t);
  });
  afterAll(dropSchemas);
  return async (path, opts = {}) => {
    const s = await TestSocket.open(t, path, opts);
    sockets.push(s);
    return s;
  };
}
