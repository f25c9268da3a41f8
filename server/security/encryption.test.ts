import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dialectUnderTest, dropSchemas, login, mainTables, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import { storeAttachment } from '../commands/attachmentStorer.js';
import { rateConversation } from '../commands/satisfactionRater.js';
import { recordVisitorContext } from '../commands/visitorContextRecorder.js';
import type { Tenant } from '../storage/schema.js';
import { Keyring, KeyUnavailableError } from './keyring.js';
import { aadFor, openAttachmentFile, openMessages } from './sealedFields.js';
import { DATA_KEY_EPOCH_MS, deleteTenant, KEY_DESTROY_GRACE_MS, maintainKeys, reencryptTenant } from './dataLifecycle.js';

/** Every row of every table, as text: what someone with a copy of the database sees. */
async function dumpAllRows(t: TestParley): Promise<string> {
  const db = t.ctx.storage.db;
  let out = '';
  for (const table of await mainTables(t)) {
    const rows = await db.selectFrom(table as never).selectAll().execute();
    out += `\n== ${table}\n${JSON.stringify(rows)}`;
  }
  return out;
}

/** The raw bytes of the SQLite database (or key store) and its WAL, as latin1 text (UTF-8 plaintext shows up verbatim). */
function sqliteFiles(t: TestParley, name = 'parley.sqlite'): string {
  const file = join(t.dataDir, name);
  return [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
}

/** Every attachment file on disk, as latin1 text. */
function attachmentFiles(t: TestParley): string {
  const dir = join(t.dataDir, 'attachments');
  if (!existsSync(dir)) return '';
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}

const SECRETS = {
  name: 'Zebediah Quartermaine',
  email: 'zebediah.q@private.example',
  page: 'https://shop.example/checkout/secret-basket-77',
  body1: 'my parcel xylophonic never arrived',
  body2: 'please refund the quokkasaurus order',
  reply: 'Sorry Zebediah, refunding the flibbertigibbet now',
};

/** Contact-centre data: a claimed user id and another page, a rated comment, a file with a telling name and content. */
const CONTACT = {
  userId: 'customer-snollygoster-4411',
  page: 'https://shop.example/account/orders/brouhaha-9',
  comment: 'the gobbledygook courier was rude',
  fileName: 'passport-scan-wolfenstein.pdf',
  fileBytes: Buffer.from('%PDF-1.4\n% marmalade-hippogriff private document\n'),
};

describe('encryption at rest', () => {
  let t: TestParley;
  let tenant: Tenant;

  async function seed(of: Tenant, s = SECRETS) {
    const { visitorId } = await visitorSession(t, of, { name: s.name, email: s.email, page: s.page });
    const visitor = { kind: 'visitor' as const, tenantId: of.id, visitorId };
    const m1 = await createMessage(t.ctx, visitor, { clientId: 'v1', body: s.body1 });
    await createMessage(t.ctx, visitor, { clientId: 'v2', body: s.body2 });
    const agent = await makeAgent(t, of, 'admin');
    await createMessage(t.ctx, { kind: 'agent', tenantId: of.id, agent }, { clientId: 'a1', body: s.reply, conversationId: m1.message.conversationId });
    return { visitorId, conversationId: m1.message.conversationId, agent };
  }

  /** Adds visitor context (user id, pages), a rating with a comment and an attachment to a seeded chat. */
  async function seedContact(of: Tenant, seeded: { visitorId: string; conversationId: string }) {
    await recordVisitorContext(t.ctx, of.id, seeded.visitorId, { page: CONTACT.page, identity: { userId: CONTACT.userId } });
    await rateConversation(t.ctx, { tenantId: of.id, visitorId: seeded.visitorId }, { conversationId: seeded.conversationId, rating: 2, comment: CONTACT.comment });
    const message = await storeAttachment(t.ctx, { kind: 'visitor', tenantId: of.id, visitorId: seeded.visitorId }, { fileName: CONTACT.fileName, bytes: CONTACT.fileBytes, clientId: 'file1' });
    return { attachment: message.attachment! };
  }

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('stores no plaintext of bodies, names, emails, pages, user ids, ratings or attachments, yet agents read them in clear', async () => {
    const { conversationId, agent, visitorId } = await seed(tenant);
    const { attachment } = await seedContact(tenant, { visitorId, conversationId });
    const dump = await dumpAllRows(t);
    const raw = dialectUnderTest() === 'sqlite' ? sqliteFiles(t) : '';
    const files = attachmentFiles(t);
    expect(files.length).toBeGreaterThan(0);
    const words = [SECRETS.name, 'Zebediah', SECRETS.email, 'private.example', 'secret-basket', 'xylophonic', 'quokkasaurus', 'flibbertigibbet'];
    words.push(CONTACT.userId, 'snollygoster', 'brouhaha', 'gobbledygook', CONTACT.fileName, 'wolfenstein', 'marmalade', 'hippogriff', '%PDF');
    for (const w of words) {
      expect(dump, `rows contain ${w}`).not.toContain(w);
      expect(raw, `database file contains ${w}`).not.toContain(w);
      expect(files, `attachment files contain ${w}`).not.toContain(w);
    }
    // Each new table's row names its key version.
    const db = t.ctx.storage.db;
    expect(await db.selectFrom('visitor_context').select(['user_id', 'pages', 'key_version']).where('visitor_id', '=', visitorId).executeTakeFirstOrThrow()).toMatchObject({ user_id: expect.stringMatching(/^pe1:1:/), pages: expect.stringMatching(/^pe1:1:/), key_version: 1 });
    expect(await db.selectFrom('satisfaction_ratings').select(['comment', 'key_version']).where('conversation_id', '=', conversationId).executeTakeFirstOrThrow()).toMatchObject({ comment: expect.stringMatching(/^pe1:1:/), key_version: 1 });
    expect(await db.selectFrom('attachments').select(['filename', 'key_version']).where('id', '=', attachment.id).executeTakeFirstOrThrow()).toMatchObject({ filename: expect.stringMatching(/^pe1:1:/), key_version: 1 });
    // The sealed values are there, in the documented format, with their key version.
    const row = await t.ctx.storage.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(row.body).toMatch(/^pe1:1:[A-Za-z0-9_-]+$/);
    expect(row.key_version).toBe(1);
    // Positive control: through the API, the agent sees plain text.
    const me = await login(t, agent);
    const list = (await t.app.inject({ method: 'GET', url: '/api/conversations', headers: me.headers })).json();
    expect(list.items[0].visitor).toMatchObject({ name: SECRETS.name, email: SECRETS.email, currentPage: SECRETS.page });
    const msgs = (await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/messages`, headers: me.headers })).json();
    expect(msgs.items.map((m: { body: string }) => m.body)).toEqual([SECRETS.body1, SECRETS.body2, SECRETS.reply, CONTACT.fileName]);
    expect(msgs.items[0].author.name).toBe(SECRETS.name);
    expect(msgs.items[3].attachment).toMatchObject({ name: CONTACT.fileName, type: 'application/pdf', size: CONTACT.fileBytes.length });
    const panel = (await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/context`, headers: me.headers })).json();
    expect(panel.identity).toEqual({ userId: CONTACT.userId, verified: false });
    expect(panel.pagesSeen.map((p: { url: string }) => p.url)).toEqual([SECRETS.page, CONTACT.page]);
    expect(panel.rating).toEqual({ rating: 2, comment: CONTACT.comment });
    const file = await t.app.inject({ method: 'GET', url: attachment.url });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(CONTACT.fileBytes)).toBe(true);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toContain(`filename="${CONTACT.fileName}"`);
  });

  it('binds each ciphertext to its tenant, row and column: a copied value does not open', async () => {
    const a = await seed(tenant);
    const other = await makeTenant(t);
    await seed(other, { ...SECRETS, body1: 'other tenant text' });
    const db = t.ctx.storage.db;
    const [m1, m2] = await db.selectFrom('messages').selectAll().where('conversation_id', '=', a.conversationId).orderBy('seq').limit(2).execute();
    // Same tenant, another row.
    await db.updateTable('messages').set({ body: m1!.body }).where('id', '=', m2!.id).execute();
    const moved = await db.selectFrom('messages').selectAll().where('id', '=', m2!.id).executeTakeFirstOrThrow();
    await expect(openMessages(t.ctx.keyring, [moved])).rejects.toBeInstanceOf(KeyUnavailableError);
    // Another column of the same row.
    await expect(t.ctx.keyring.open(tenant.id, aadFor(tenant.id, 'messages', 'author_name', m1!.id), m1!.body)).rejects.toBeInstanceOf(KeyUnavailableError);
    // Another tenant's row (and key).
    const foreign = await db.selectFrom('messages').selectAll().where('tenant_id', '=', other.id).limit(1).executeTakeFirstOrThrow();
    await expect(openMessages(t.ctx.keyring, [{ ...foreign, body: m1!.body }])).rejects.toBeInstanceOf(KeyUnavailableError);
    // The API refuses to serve a tampered row rather than showing garbage.
    const me = await login(t, a.agent);
    expect((await t.app.inject({ method: 'GET', url: `/api/conversations/${a.conversationId}/messages`, headers: me.headers })).statusCode).toBe(500);
  });

  it('rotates data keys without downtime, re-encrypts, then destroys the old version', async () => {
    const { conversationId, agent, visitorId } = await seed(tenant);
    const { attachment } = await seedContact(tenant, { visitorId, conversationId });
    const v2 = await t.ctx.keyring.rotate(tenant.id);
    expect(v2).toBe(2);
    await createMessage(t.ctx, { kind: 'agent', tenantId: tenant.id, agent }, { clientId: 'after', body: 'written after rotation', conversationId });
    const db = t.ctx.storage.db;
    const versions = async () => (await db.selectFrom('messages').select('key_version').where('tenant_id', '=', tenant.id).orderBy('seq').execute()).map((r) => r.key_version);
    expect(await versions()).toEqual([1, 1, 1, 1, 2]);
    // Old and new versions both decrypt.
    const me = await login(t, agent);
    const bodies = async () => (await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/messages`, headers: me.headers })).json().items.map((m: { body: string }) => m.body);
    expect(await bodies()).toEqual([SECRETS.body1, SECRETS.body2, SECRETS.reply, CONTACT.fileName, 'written after rotation']);
    // Version 1 is still in use: not destroyed.
    expect((await maintainKeys(t.ctx, tenant.id, Date.now() + KEY_DESTROY_GRACE_MS + 1000)).destroyed).toBe(0);
    expect(await reencryptTenant(t.ctx, tenant.id)).toEqual({ messages: 4, visitors: 1, ratings: 1, visitorContexts: 1, attachments: 1, contacts: 0 });
    expect(await versions()).toEqual([2, 2, 2, 2, 2]);
    for (const table of ['satisfaction_ratings', 'visitor_context', 'attachments'] as const) {
      expect((await db.selectFrom(table).select('key_version').where('tenant_id', '=', tenant.id).execute()).map((r) => r.key_version), table).toEqual([2]);
    }
    expect(readFileSync(join(t.dataDir, 'attachments', tenant.id, attachment.id)).readUInt32BE(4)).toBe(2);
    // Within the grace period a node may still write with v1: kept. After it: destroyed.
    expect((await maintainKeys(t.ctx, tenant.id)).destroyed).toBe(0);
    expect((await maintainKeys(t.ctx, tenant.id, Date.now() + KEY_DESTROY_GRACE_MS + 1000)).destroyed).toBe(1);
    const v1 = await t.ctx.storage.keys.db.selectFrom('tenant_keys').selectAll().where('tenant_id', '=', tenant.id).where('purpose', '=', 'data').where('version', '=', 1).executeTakeFirstOrThrow();
    expect(v1.wrapped_key).toBeNull();
    expect(v1.destroyed_at).not.toBeNull();
    expect(await bodies()).toEqual([SECRETS.body1, SECRETS.body2, SECRETS.reply, CONTACT.fileName, 'written after rotation']);
    // The re-sealed contact-centre data still reads after version 1 is gone.
    const panel = (await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/context`, headers: me.headers })).json();
    expect(panel).toMatchObject({ identity: { userId: CONTACT.userId }, rating: { comment: CONTACT.comment } });
    const file = await t.app.inject({ method: 'GET', url: attachment.url });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(CONTACT.fileBytes)).toBe(true);
    // A period-old key is rotated by the job.
    await t.ctx.storage.keys.db.updateTable('tenant_keys').set({ created_at: Date.now() - DATA_KEY_EPOCH_MS - 1 }).where('tenant_id', '=', tenant.id).execute();
    expect((await maintainKeys(t.ctx, tenant.id)).rotated).toBe(1);
  });

  it('rotates the master key: old and new accepted during the switch, then only the new', async () => {
    const { conversationId } = await seed(tenant);
    const rows = await t.ctx.storage.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).execute();
    const oldMaster = t.ctx.env.masterKey;
    const newMaster = Buffer.alloc(32, 7);
    const during = new Keyring(t.ctx.storage, { current: newMaster, previous: oldMaster });
    expect((await openMessages(during, rows)).map((m) => m.body)).toContain(SECRETS.body1);
    expect(await during.rewrapAll()).toEqual({ rewrapped: 2, current: 0 }); // data v1 + search key
    const after = new Keyring(t.ctx.storage, { current: newMaster });
    expect((await openMessages(after, rows)).map((m) => m.body)).toContain(SECRETS.body1);
    const oldOnly = new Keyring(t.ctx.storage, { current: oldMaster });
    await expect(openMessages(oldOnly, rows)).rejects.toThrow(/not configured/);
  });

  it('keeps a bounded cache of unwrapped keys', async () => {
    const ring = new Keyring(t.ctx.storage, { current: t.ctx.env.masterKey }, { cacheSize: 3 });
    for (let i = 0; i < 6; i++) {
      const other = await makeTenant(t);
      await ring.dataKey(other.id);
      await ring.searchKey(other.id);
    }
    expect(ring.cachedKeys).toBe(3);
  });

  it('deleting a tenant shreds it: a copy of the old database or of its attachment files cannot be decrypted any more, with the same MASTER_KEY', async () => {
    const { conversationId, visitorId } = await seed(tenant);
    const { attachment } = await seedContact(tenant, { visitorId, conversationId });
    // The "backup" of the attachment files, taken before the deletion.
    const liveFile = join(t.dataDir, 'attachments', tenant.id, attachment.id);
    const copiedFile = join(t.dataDir, 'backup-attachment.bin');
    copyFileSync(liveFile, copiedFile);
    const survivor = await makeTenant(t);
    const kept = await seed(survivor, { ...SECRETS, body1: 'survivor text' });
    const db = t.ctx.storage.db;
    const keysDb = t.ctx.storage.keys.db;
    // The tenant's wrapped keys as the key store holds them now (to look for them after the deletion).
    const tenantKeys = await keysDb.selectFrom('tenant_keys').select(['purpose', 'version', 'wrapped_key']).where('tenant_id', '=', tenant.id).execute();
    expect(tenantKeys.length).toBeGreaterThanOrEqual(2);
    const keyBytes = tenantKeys.map((k) => k.wrapped_key!.slice(20, 60)); // past `w1:<master id>:`: the key's own ciphertext

    // The "backup": a copy of the whole application database taken before the deletion. On SQLite the
    // file itself (checkpointed so the copy is complete); on PostgreSQL every row of every table of
    // the application's schema. The key store is not part of it.
    let copy: { tables: string[]; raw: string; messages: Array<{ id: string; tenant_id: string; body: string; author_name: string }> };
    if (dialectUnderTest() === 'sqlite') {
      await t.ctx.storage.afterErase();
      const file = join(t.dataDir, 'backup.sqlite');
      copyFileSync(join(t.dataDir, 'parley.sqlite'), file);
      const backup = new Database(file, { readonly: true });
      copy = {
        tables: (backup.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((r) => r.name),
        raw: readFileSync(file).toString('latin1'),
        messages: backup.prepare('select id, tenant_id, body, author_name from messages where tenant_id = ?').all(tenant.id) as never,
      };
      backup.close();
    } else {
      copy = {
        tables: await mainTables(t),
        raw: await dumpAllRows(t),
        messages: await db.selectFrom('messages').select(['id', 'tenant_id', 'body', 'author_name']).where('tenant_id', '=', tenant.id).execute(),
      };
    }
    expect(copy.messages).toHaveLength(4);
    // The copy holds the tenant's ciphertexts but not one wrapped key: no key table, no key bytes.
    expect(copy.tables).toContain('messages');
    expect(copy.tables).not.toContain('tenant_keys');
    expect(copy.raw).not.toMatch(/w1:[0-9a-f]{16}:/);
    for (const bytes of keyBytes) expect(copy.raw).not.toContain(bytes);
    // Control: before the deletion, the copies open with this installation's MASTER_KEY and key store.
    expect((await openMessages(t.ctx.keyring, copy.messages)).map((m) => m.body)).toContain(SECRETS.body1);
    const fileCopy = readFileSync(copiedFile);
    expect((await openAttachmentFile(t.ctx.keyring, tenant.id, attachment.id, fileCopy)).equals(CONTACT.fileBytes)).toBe(true);

    const result = await deleteTenant(t.ctx, tenant.id, { kind: 'operator', command: 'test' });
    expect(result).toMatchObject({ conversations: 1, visitors: 1 });
    expect(result.keysDestroyed).toBe(tenantKeys.length);

    // 1. The key store has no key for them any more: with the unchanged MASTER_KEY (no master-key
    //    rotation) and the live key store, neither a node's keyring nor a fresh one opens the copy.
    expect(await keysDb.selectFrom('tenant_keys').selectAll().where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    const fresh = new Keyring(t.ctx.storage, { current: t.ctx.env.masterKey });
    for (const ring of [t.ctx.keyring, fresh]) {
      for (const m of copy.messages) await expect(openMessages(ring, [m])).rejects.toThrow(/does not exist or was destroyed/);
      await expect(openAttachmentFile(ring, tenant.id, attachment.id, fileCopy)).rejects.toThrow(/does not exist or was destroyed/);
    }
    // The tenant's attachment files are deleted too.
    expect(existsSync(liveFile)).toBe(false);
    expect(existsSync(join(t.dataDir, 'attachments', tenant.id))).toBe(false);
    // 2. No remaining key (every other tenant's data and search keys) opens any of them.
    const remaining = await keysDb.selectFrom('tenant_keys').selectAll().where('destroyed_at', 'is', null).execute();
    expect(remaining.length).toBeGreaterThan(0);
    const { createDecipheriv } = await import('node:crypto');
    for (const k of remaining) {
      const key = fresh.unwrap(k.tenant_id, k.purpose, k.version, k.wrapped_key!);
      for (const m of copy.messages) {
        const blob = Buffer.from(m.body.split(':')[2]!, 'base64url');
        const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
        d.setAAD(Buffer.from(aadFor(m.tenant_id, 'messages', 'body', m.id)));
        d.setAuthTag(blob.subarray(blob.length - 16));
        expect(() => Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()])).toThrow();
      }
      // Nor the copied attachment file (PEF1 | version | iv | ciphertext | tag).
      const sealedFile = fileCopy.subarray(8);
      const d = createDecipheriv('aes-256-gcm', key, sealedFile.subarray(0, 12));
      d.setAAD(Buffer.from(aadFor(tenant.id, 'attachments', 'file', attachment.id)));
      d.setAuthTag(sealedFile.subarray(sealedFile.length - 16));
      expect(() => Buffer.concat([d.update(sealedFile.subarray(12, sealedFile.length - 16)), d.final()])).toThrow();
    }
    // The surviving tenant is untouched and readable with the same master key.
    const survivorRows = await db.selectFrom('messages').selectAll().where('conversation_id', '=', kept.conversationId).execute();
    expect((await openMessages(fresh, survivorRows)).map((m) => m.body)).toContain('survivor text');
    // No row of the deleted tenant remains.
    for (const table of ['messages', 'visitors', 'conversations', 'message_search', 'agents', 'satisfaction_ratings', 'visitor_context', 'attachments'] as const) {
      expect(await db.selectFrom(table).select('tenant_id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    }
    expect(await db.selectFrom('conversations').select('id').where('id', '=', conversationId).execute()).toEqual([]);
    // 3. On SQLite no byte of its wrapped keys remains in the key store's files (secure_delete, checkpointed WAL).
    if (dialectUnderTest() === 'sqlite') {
      const store = sqliteFiles(t, 'keystore.sqlite');
      expect(store).toMatch(/w1:[0-9a-f]{16}:/); // the survivor's keys: the right file is read
      for (const bytes of keyBytes) expect(store).not.toContain(bytes);
    }
  });
});
