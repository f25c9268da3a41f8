/**
 * Issue 20 item 1: contacts over REST — list/search, get, attributes, notes, conversations, merge,
 * GDPR export/erasure — with API-key scopes, redaction and encryption at rest of what agents type,
 * and isolation between tenants.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, TestSocket, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Agent, Tenant } from '../../storage/schema.js';
import { identityHash } from '../../security/visitorIdentity.js';
import { createMessage } from '../../commands/messageCreator.js';
import { addContactNote } from '../../commands/contactEditor.js';
import { openNullable } from '../../security/sealedFields.js';
import '../../storage/contactSchema.js';

const CARD = '4111 1111 1111 1111';

describe('contacts API', () => {
  let t: TestParley;
  let tenant: Tenant;
  let other: Tenant;
  let admin: LoggedIn;
  let adminAgent: Agent;
  let otherAdmin: LoggedIn;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who: LoggedIn | string, payload?: unknown) =>
    t.app.inject({ method, url, headers: typeof who === 'string' ? { authorization: `Bearer ${who}` } : who.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const session = async (tn: Tenant, extra: Record<string, unknown> = {}) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: tn.widget_key, ...extra } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { token: string; visitorId: string };
  };
  const contactIdOf = async (visitorId: string) => (await t.ctx.storage.db.selectFrom('visitors').select('contact_id').where('id', '=', visitorId).executeTakeFirstOrThrow()).contact_id!;
  const says = async (tn: Tenant, visitorId: string, body: string) => (await createMessage(t.ctx, { kind: 'visitor', tenantId: tn.id, visitorId }, { clientId: `c${Math.random()}`, body })).message;

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    other = await makeTenant(t);
    adminAgent = await makeAgent(t, tenant, 'admin');
    admin = await login(t, adminAgent);
    otherAdmin = await login(t, await makeAgent(t, other, 'admin'));
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('lists, searches, reads, updates attributes and shows conversations of a contact, with scopes enforced', async () => {
    const v = await session(tenant, { name: 'Ada Lovelace', email: 'ada@example.com' });
    await says(tenant, v.visitorId, 'Where is my parcel?');
    await session(tenant, { name: 'Grace Hopper' });
    const id = await contactIdOf(v.visitorId);
    const reader = await makeApiKey(t, admin, ['contacts:read']);
    const writer = await makeApiKey(t, admin, ['contacts:write', 'contacts:read']);
    const unrelated = await makeApiKey(t, admin, ['conversations:read']);

    const list = await api('GET', '/api/contacts', reader);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toHaveLength(2);
    const found = await api('GET', '/api/contacts?q=lovelace', reader);
    expect(found.json().items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(found.json().items[0]).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', verified: false, userId: null });
    expect((await api('GET', '/api/contacts?q=nobody-here', reader)).json().items).toEqual([]);
    expect((await api('GET', '/api/contacts', unrelated)).statusCode).toBe(403);

    const convs = await api('GET', `/api/contacts/${id}/conversations`, reader);
    expect(convs.json().items.map((c: { lastMessage: { body: string } }) => c.lastMessage.body)).toEqual(['Where is my parcel?']);

    expect((await api('PATCH', `/api/contacts/${id}`, reader, { attributes: { plan: 'gold' } })).statusCode).toBe(403);
    const patched = await api('PATCH', `/api/contacts/${id}`, writer, { attributes: { plan: 'gold', tier: '2' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().attributes).toEqual({ plan: 'gold', tier: '2' });
    expect((await api('PATCH', `/api/contacts/${id}`, writer, { attributes: { tier: null } })).json().attributes).toEqual({ plan: 'gold' });
    // Bad input: a clear error, nothing changed.
    const bad = await api('PATCH', `/api/contacts/${id}`, writer, { attributes: { 'no spaces': 'x' } });
    expect(bad.statusCode).toBe(400);
    expect((await api('GET', `/api/contacts/${id}`, reader)).json().attributes).toEqual({ plan: 'gold' });
    // Attributes are sealed at rest.
    const row = await t.ctx.storage.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.attributes).not.toContain('gold');
    // Every read is in the access audit, naming the contact's visitor.
    const audit = await t.ctx.storage.db.selectFrom('audit_log').select(['action', 'visitor_id']).where('action', '=', 'contact.read').execute();
    expect(audit.some((a) => a.visitor_id === v.visitorId)).toBe(true);
  });

  it('redacts card numbers (built-in and tenant patterns) in notes and attributes, and seals notes at rest', async () => {
    const v = await session(tenant, { name: 'Ada' });
    const id = await contactIdOf(v.visitorId);
    const put = await t.app.inject({ method: 'PUT', url: '/api/admin/privacy', headers: admin.headers, payload: { redactionPatterns: ['ORD-\\d{6}'] } });
    expect(put.statusCode, put.body).toBe(200);
    const note = await api('POST', `/api/contacts/${id}/notes`, admin, { body: `Paid with ${CARD}, order ORD-123456, VIP` });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json().body).not.toContain('4111');
    expect(note.json().body).not.toContain('ORD-123456');
    expect(note.json().body).toContain('VIP');
    expect(note.json().author.id).toBe(adminAgent.id);
    // The command itself redacts, whatever the transport (not only the HTTP input filter).
    const direct = await addContactNote(t.ctx, tenant.id, id, null, `card ${CARD.replace(/ /g, '')} again`);
    const stored = await t.ctx.storage.db.selectFrom('contact_notes').selectAll().where('id', '=', direct).executeTakeFirstOrThrow();
    expect(stored.body).not.toContain('again'); // sealed
    const opened = await openNullable(t.ctx.keyring, tenant.id, 'contact_notes', 'body', direct, stored.body);
    expect(opened).toContain('again');
    expect(opened).not.toContain('41111111');
    const notes = await api('GET', `/api/contacts/${id}/notes`, admin);
    expect(notes.json().items).toHaveLength(2);
    const attr = await api('PATCH', `/api/contacts/${id}`, admin, { attributes: { ref: 'ORD-654321' } });
    expect(attr.json().attributes.ref).not.toContain('654321');
    // Empty or oversized note: refused, nothing stored.
    expect((await api('POST', `/api/contacts/${id}/notes`, admin, { body: '' })).statusCode).toBe(400);
    expect((await api('POST', `/api/contacts/${id}/notes`, admin, { body: 'x'.repeat(5001) })).statusCode).toBe(400);
    expect((await api('GET', `/api/contacts/${id}/notes`, admin)).json().items).toHaveLength(2);
  });

  it("never answers about another tenant's contacts or notes", async () => {
    const mine = await contactIdOf((await session(tenant, { name: 'Ada' })).visitorId);
    const theirs = await contactIdOf((await session(other, { name: 'Mallory' })).visitorId);
    await api('POST', `/api/contacts/${theirs}/notes`, otherAdmin, { body: 'their secret note' });
    const key = await makeApiKey(t, admin, ['contacts:read', 'contacts:write']);
    for (const who of [admin, key]) {
      expect((await api('GET', `/api/contacts/${theirs}`, who)).statusCode).toBe(404);
      expect((await api('GET', `/api/contacts/${theirs}/notes`, who)).statusCode).toBe(404);
      expect((await api('GET', `/api/contacts/${theirs}/conversations`, who)).statusCode).toBe(404);
      expect((await api('PATCH', `/api/contacts/${theirs}`, who, { attributes: { x: 'y' } })).statusCode).toBe(404);
      expect((await api('POST', `/api/contacts/${theirs}/notes`, who, { body: 'hello' })).statusCode).toBe(404);
      expect((await api('POST', `/api/contacts/${theirs}/merge`, who, { into: mine })).statusCode).toBe(404);
      expect((await api('POST', `/api/contacts/${mine}/merge`, who, { into: theirs })).statusCode).toBe(404);
      const list = (await api('GET', '/api/contacts', who)).json().items.map((c: { id: string }) => c.id);
      expect(list).toContain(mine);
      expect(list).not.toContain(theirs);
      expect((await api('GET', '/api/contacts?q=Mallory', who)).json().items).toEqual([]);
    }
    expect((await api('GET', `/api/contacts/${theirs}/export`, admin)).statusCode).toBe(404);
    expect((await api('DELETE', `/api/contacts/${theirs}`, admin)).statusCode).toBe(404);
    // Nothing of theirs changed; control: their own admin sees it.
    const theirNotes = await api('GET', `/api/contacts/${theirs}/notes`, otherAdmin);
    expect(theirNotes.json().items.map((n: { body: string }) => n.body)).toEqual(['their secret note']);
    expect((await api('GET', `/api/contacts/${theirs}`, otherAdmin)).json().attributes).toEqual({});
  });

  it('merges an anonymous contact into a verified one (audited), without giving the anonymous browser the shopper\'s conversations', async () => {
    const secret = (await api('POST', '/api/contact-settings', admin, { rotateIdentitySecret: true })).json().identitySecret as string;
    const shopper = await session(tenant, { identity: { userId: 'cust-9', hash: identityHash(secret, 'cust-9') } });
    const shopperConv = (await says(tenant, shopper.visitorId, 'my private order')).conversationId;
    const stranger = await session(tenant, { name: 'Stranger' });
    const strangerConv = (await says(tenant, stranger.visitorId, 'same person, says the agent')).conversationId;
    const [into, from] = [await contactIdOf(shopper.visitorId), await contactIdOf(stranger.visitorId)];
    await api('POST', `/api/contacts/${from}/notes`, admin, { body: 'note on the anonymous one' });
    // Never the other way round: a verified contact is not folded into another.
    expect((await api('POST', `/api/contacts/${into}/merge`, admin, { into: from })).statusCode).toBe(400);
    expect((await api('POST', `/api/contacts/${from}/merge`, admin, { into: from })).statusCode).toBe(400);
    const merged = await api('POST', `/api/contacts/${from}/merge`, admin, { into });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().visitors.map((v: { id: string }) => v.id).sort()).toEqual([shopper.visitorId, stranger.visitorId].sort());
    expect((await api('GET', `/api/contacts/${from}`, admin)).statusCode).toBe(404);
    expect((await api('GET', `/api/contacts/${into}/conversations`, admin)).json().items.map((c: { id: string }) => c.id).sort()).toEqual([shopperConv, strangerConv].sort());
    expect((await api('GET', `/api/contacts/${into}/notes`, admin)).json().items.map((n: { body: string }) => n.body)).toEqual(['note on the anonymous one']);
    const audit = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'contact.merge').execute();
    expect(audit.find((a) => a.resource_type === 'contact')).toMatchObject({ actor_kind: 'agent', actor_id: adminAgent.id, resource_id: into });
    // The merged anonymous browser still sees only its own conversation.
    const ws = await TestSocket.open(t, '/ws/visitor');
    ws.send({ type: 'hello', token: stranger.token });
    const ready = await ws.next('ready');
    expect(ready.conversations.map((c: { id: string }) => c.id)).toEqual([strangerConv]);
    ws.send({ type: 'history', conversationId: shopperConv, afterSeq: 0 });
    expect((await ws.next('error')).code).toBe('not_found');
    ws.close();
  });

  it('exports and erases a whole contact (GDPR), admins only', async () => {
    const v1 = await session(tenant, { name: 'Ada', email: 'ada@example.com' });
    const id = await contactIdOf(v1.visitorId);
    await says(tenant, v1.visitorId, 'please forget me');
    await api('POST', `/api/contacts/${id}/notes`, admin, { body: 'asked for erasure' });
    const agent = await login(t, await makeAgent(t, tenant, 'agent'));
    expect((await api('GET', `/api/contacts/${id}/export`, agent)).statusCode).toBe(403);
    const exp = await api('GET', `/api/contacts/${id}/export`, admin);
    expect(exp.statusCode, exp.body).toBe(200);
    const data = exp.json();
    expect(data.contact.id).toBe(id);
    expect(data.notes.map((n: { body: string }) => n.body)).toEqual(['asked for erasure']);
    expect(data.visitors[0].visitor.email).toBe('ada@example.com');
    expect(data.visitors[0].conversations[0].messages[0].body).toBe('please forget me');
    expect((await api('DELETE', `/api/contacts/${id}`, agent)).statusCode).toBe(403);
    expect((await api('DELETE', `/api/contacts/${id}`, admin)).statusCode).toBe(204);
    const db = t.ctx.storage.db;
    expect(await db.selectFrom('contacts').select('id').where('id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('contact_notes').select('id').where('contact_id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('visitors').select('id').where('id', '=', v1.visitorId).execute()).toEqual([]);
    expect(await db.selectFrom('messages').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    const erased = await db.selectFrom('audit_log').select(['action', 'resource_id']).where('action', '=', 'contact.erase').execute();
    expect(erased.map((e) => e.resource_id)).toContain(id);
    // Erasing a visitor that was its contact's last browser removes the contact and its notes too.
    const v2 = await session(tenant, { name: 'Bob' });
    const id2 = await contactIdOf(v2.visitorId);
    await api('POST', `/api/contacts/${id2}/notes`, admin, { body: 'bob note' });
    expect((await api('DELETE', `/api/visitors/${v2.visitorId}`, admin)).statusCode).toBe(204);
    expect(await db.selectFrom('contact_notes').select('id').where('contact_id', '=', id2).execute()).toEqual([]);
    expect(await db.selectFrom('contacts').select('id').where('id', '=', id2).execute()).toEqual([]);
  });
});
