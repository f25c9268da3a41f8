/**
 * Retention, deletion and data-subject requests — each one audited.
 *
 * Retention: a tenant keeps a conversation for `tenants.retention_days` after its last activity.
 * The retention job (every node, hourly, and `parley retention:run`) deletes expired conversations
 * with their messages, search tokens, ratings and attachments (rows and files), and visitors left
 * without conversations (with their context). Keys expire with the data: the tenant's data key is
 * rotated every DATA_KEY_EPOCH_MS, so each version protects one period of writes; a version that no
 * live row (message, visitor, rating, visitor context, attachment, pending webhook payload) uses any
 * more is destroyed — its wrapped key erased — so expiry of a period's data ends in key destruction.
 *
 * Tenant deletion destroys all the tenant's keys first (crypto-shredding), then deletes its rows and
 * its attachment files (which, sealed under those keys, were already unreadable). The keys live in
 * the key store (storage/keyStore.ts), not in the application database: a copy of that database
 * taken before the deletion holds no key and stays unreadable.
 */
import { forgetVisitorNames } from '../queries/visitorNames.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { presentMessage, presentVisitor } from '../presenters/presenters.js';
import { recordAccess, type Accessor } from './accessAudit.js';
import { openAttachmentFile, openField, openMessages, openVisitors, sealAttachmentFile, sealMessage, sealNullable, sealVisitor } from './sealedFields.js';
import { attachmentPath, removeAttachmentFiles, removeTenantAttachments } from '../storage/attachmentFiles.js';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isSealed, sealedBytesVersion } from './keyring.js';
import { contactDataOf } from '../queries/visitorContextQueries.js';
import { proactiveMessagesOf } from '../queries/proactiveQueries.js';
import { contactsUseVersion, deleteEmptyContacts, deleteTenantContacts, reencryptContacts } from './contactLifecycle.js';

export const DAY_MS = 86_400_000;
/** A tenant's data key is rotated after this long, so a key protects at most one period of writes. */
export const DATA_KEY_EPOCH_MS = 30 * DAY_MS;
/** A replaced key is destroyed only this long after its successor exists: every node has switched by then. */
export const KEY_DESTROY_GRACE_MS = 10 * 60_000;

/** A node's context, or the CLI's (which has no event bus: see forgetVisitorNames). */
type Services = Pick<Ctx, 'storage' | 'keyring' | 'log' | 'env'> & Partial<Pick<Ctx, 'bus'>>;

async function deleteConversations(ctx: Services, tenantId: string, ids: string[]): Promise<void> {
  const db = ctx.storage.db;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const files = (await db.selectFrom('attachments').select('id').where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).execute()).map((a) => a.id);
    await db.deleteFrom('message_search').where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).execute();
    await db.deleteFrom('messages').where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).execute();
    await db.deleteFrom('satisfaction_ratings').where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).execute();
    await db.deleteFrom('attachments').where('tenant_id', '=', tenantId).where('conversation_id', 'in', chunk).execute();
    await db.deleteFrom('conversations').where('tenant_id', '=', tenantId).where('id', 'in', chunk).execute();
    await removeAttachmentFiles(ctx.env.dataDir, tenantId, files);
  }
}

export interface RetentionResult {
  conversationsDeleted: number;
  visitorsDeleted: number;
  keysRotated: number;
  keysDestroyed: number;
}

export async function runRetention(ctx: Services, now = Date.now()): Promise<RetentionResult> {
  const db = ctx.storage.db;
  const who: Accessor = { kind: 'system', job: 'retention' };
  const result: RetentionResult = { conversationsDeleted: 0, visitorsDeleted: 0, keysRotated: 0, keysDestroyed: 0 };
  const tenants = await db.selectFrom('tenants').select(['id', 'retention_days']).execute();
  for (const tenant of tenants) {
    const cutoff = now - tenant.retention_days * DAY_MS;
    const expired = await db.selectFrom('conversations').select(['id', 'visitor_id']).where('tenant_id', '=', tenant.id).where('updated_at', '<', cutoff).execute();
    if (expired.length) {
      // Recorded first: the entries say what was deleted even if the deletion is interrupted.
      await recordAccess(ctx, who, 'conversation.expire', expired.map((c) => ({ tenantId: tenant.id, resourceType: 'conversation', conversationId: c.id, visitorId: c.visitor_id, details: { retentionDays: tenant.retention_days } })));
      await deleteConversations(ctx, tenant.id, expired.map((c) => c.id));
      result.conversationsDeleted += expired.length;
    }
    const orphans = await db
      .selectFrom('visitors')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('last_seen_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('conversations').select('id').whereRef('conversations.visitor_id', '=', 'visitors.id'))))
      .execute();
    if (orphans.length) {
      await recordAccess(ctx, who, 'visitor.expire', orphans.map((v) => ({ tenantId: tenant.id, resourceType: 'visitor', visitorId: v.id })));
      for (let i = 0; i < orphans.length; i += 500) {
        const chunk = orphans.slice(i, i + 500).map((v) => v.id);
        await db.deleteFrom('visitor_context').where('tenant_id', '=', tenant.id).where('visitor_id', 'in', chunk).execute();
        await db.deleteFrom('visitors').where('tenant_id', '=', tenant.id).where('id', 'in', chunk).execute();
        forgetVisitorNames(ctx, tenant.id, chunk);
      }
      result.visitorsDeleted += orphans.length;
    }
    // Contacts (issue 20) that no browser belongs to any more go with their notes.
    await deleteEmptyContacts(ctx, tenant.id);
    const keys = await maintainKeys(ctx, tenant.id, now);
    result.keysRotated += keys.rotated;
    result.keysDestroyed += keys.destroyed;
  }
  if (result.keysDestroyed || result.conversationsDeleted || result.visitorsDeleted) await ctx.storage.afterErase();
  return result;
}

/** Rotates the data key when its period is over, and destroys versions that protect nothing any more. */
export async function maintainKeys(ctx: Services, tenantId: string, now = Date.now()): Promise<{ rotated: number; destroyed: number }> {
  const db = ctx.storage.db;
  // The key store is another database: the versions come from there, their use from here.
  const versions = await ctx.storage.keys.db
    .selectFrom('tenant_keys')
    .select(['version', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('purpose', '=', 'data')
    .where('destroyed_at', 'is', null)
    .orderBy('version', 'asc')
    .execute();
  let rotated = 0;
  const newest = versions[versions.length - 1];
  if (newest && now - newest.created_at >= DATA_KEY_EPOCH_MS) {
    await ctx.keyring.rotate(tenantId);
    rotated = 1;
  }
  let destroyed = 0;
  for (let i = 0; i < versions.length - 1; i++) {
    const v = versions[i]!;
    const successor = versions[i + 1]!;
    if (now - successor.created_at < KEY_DESTROY_GRACE_MS) continue;
    if (await versionInUse(db, tenantId, v.version)) continue;
    await ctx.keyring.destroy(tenantId, 'data', v.version);
    await recordAccess(ctx, { kind: 'system', job: 'retention' }, 'key.destroy', [{ tenantId, resourceType: 'tenant', resourceId: `data-key:${v.version}`, details: { version: v.version } }]);
    destroyed++;
  }
  return { rotated, destroyed };
}

async function versionInUse(db: Db, tenantId: string, version: number): Promise<boolean> {
  const m = await db.selectFrom('messages').select('id').where('tenant_id', '=', tenantId).where('key_version', '=', version).limit(1).executeTakeFirst();
  if (m) return true;
  const v = await db.selectFrom('visitors').select('id').where('tenant_id', '=', tenantId).where('key_version', '=', version).limit(1).executeTakeFirst();
  if (v) return true;
  const r = await db.selectFrom('satisfaction_ratings').select('id').where('tenant_id', '=', tenantId).where('key_version', '=', version).limit(1).executeTakeFirst();
  if (r) return true;
  const x = await db.selectFrom('visitor_context').select('visitor_id').where('tenant_id', '=', tenantId).where('key_version', '=', version).limit(1).executeTakeFirst();
  if (x) return true;
  const a = await db.selectFrom('attachments').select('id').where('tenant_id', '=', tenantId).where('key_version', '=', version).limit(1).executeTakeFirst();
  if (a) return true;
  if (await contactsUseVersion(db, tenantId, version)) return true;
  // The sealed OpenID client secret (0120) keeps its key version alive, or SSO would stop working.
  if (await db.selectFrom('tenant_sso').select('tenant_id').where('tenant_id', '=', tenantId).where('key_version', '=', version).executeTakeFirst()) return true;
  const w = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('payload', 'like', `pe1:${version}:%`)
    .limit(1)
    .executeTakeFirst();
  return !!w;
}

export interface ReencryptResult {
  messages: number;
  visitors: number;
  ratings: number;
  visitorContexts: number;
  attachments: number;
  /** Contacts and contact notes (issue 20). */
  contacts: number;
}

/**
 * Re-seals every message, visitor, rating, visitor context and attachment (row and file) of a tenant
 * under its current data key (after `keys:rotate`). Rows written before their table was sealed
 * (key_version 0, plain text) are sealed too.
 */
export async function reencryptTenant(ctx: Services, tenantId: string): Promise<ReencryptResult> {
  const db = ctx.storage.db;
  const dk = await ctx.keyring.dataKey(tenantId);
  /** Opens a value sealed under an older version; a legacy plain value (never sealed) is taken as is. */
  const reopen = async (table: string, column: string, rowId: string, value: string | null): Promise<string | null> => {
    if (value === null) return null;
    return isSealed(value) ? openField(ctx.keyring, tenantId, table, column, rowId, value) : value;
  };
  let messages = 0;
  for (;;) {
    const rows = await db.selectFrom('messages').select(['id', 'tenant_id', 'body', 'author_name', 'attachment', 'key_version']).where('tenant_id', '=', tenantId).where('key_version', '!=', dk.version).limit(200).execute();
    if (rows.length === 0) break;
    for (const raw of rows) {
      const [row] = await openMessages(ctx.keyring, [{ ...raw, attachment: null }]);
      const sealed = sealMessage(dk, { ...row!, attachment: await reopen('messages', 'attachment', raw.id, raw.attachment ?? null) });
      await db
        .updateTable('messages')
        .set({ body: sealed.body, author_name: sealed.author_name, attachment: sealed.attachment ?? null, key_version: dk.version })
        .where('id', '=', row!.id)
        .where('key_version', '=', row!.key_version)
        .execute();
      messages++;
    }
  }
  let visitors = 0;
  for (;;) {
    const rows = await db.selectFrom('visitors').select(['id', 'tenant_id', 'name', 'email', 'current_page', 'user_agent', 'key_version']).where('tenant_id', '=', tenantId).where('key_version', '!=', dk.version).limit(200).execute();
    if (rows.length === 0) break;
    for (const row of await openVisitors(ctx.keyring, rows)) {
      const s = sealVisitor(dk, row);
      await db.updateTable('visitors').set({ name: s.name, email: s.email, current_page: s.current_page, user_agent: s.user_agent, key_version: dk.version }).where('id', '=', row.id).where('key_version', '=', row.key_version).execute();
      visitors++;
    }
  }
  let ratings = 0;
  for (;;) {
    const rows = await db.selectFrom('satisfaction_ratings').select(['id', 'conversation_id', 'comment', 'key_version']).where('tenant_id', '=', tenantId).where('key_version', '!=', dk.version).limit(200).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const comment = await reopen('satisfaction_ratings', 'comment', r.conversation_id, r.comment);
      await db
        .updateTable('satisfaction_ratings')
        .set({ comment: sealNullable(dk, tenantId, 'satisfaction_ratings', 'comment', r.conversation_id, comment), key_version: dk.version })
        .where('id', '=', r.id)
        .where('key_version', '=', r.key_version)
        .execute();
      ratings++;
    }
  }
  let visitorContexts = 0;
  for (;;) {
    const rows = await db.selectFrom('visitor_context').select(['visitor_id', 'user_id', 'pages', 'page_context', 'key_version']).where('tenant_id', '=', tenantId).where('key_version', '!=', dk.version).limit(200).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const pages = await reopen('visitor_context', 'pages', r.visitor_id, r.pages);
      const userId = await reopen('visitor_context', 'user_id', r.visitor_id, r.user_id);
      const pageContext = await reopen('visitor_context', 'page_context', r.visitor_id, r.page_context ?? null);
      await db
        .updateTable('visitor_context')
        .set({
          pages: sealNullable(dk, tenantId, 'visitor_context', 'pages', r.visitor_id, pages ?? '[]')!,
          user_id: sealNullable(dk, tenantId, 'visitor_context', 'user_id', r.visitor_id, userId),
          page_context: sealNullable(dk, tenantId, 'visitor_context', 'page_context', r.visitor_id, pageContext),
          key_version: dk.version,
        })
        .where('tenant_id', '=', tenantId)
        .where('visitor_id', '=', r.visitor_id)
        .where('key_version', '=', r.key_version)
        .execute();
      visitorContexts++;
    }
  }
  let attachments = 0;
  for (;;) {
    const rows = await db.selectFrom('attachments').select(['id', 'filename', 'key_version']).where('tenant_id', '=', tenantId).where('key_version', '!=', dk.version).limit(200).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      // The file first: it names its own key version, so a crash between the two leaves both readable.
      const file = attachmentPath(ctx.env.dataDir, tenantId, r.id);
      const stored = await readFile(file).catch(() => null);
      if (stored) {
        const plain = sealedBytesVersion(stored) === null ? stored : await openAttachmentFile(ctx.keyring, tenantId, r.id, stored);
        await writeFile(`${file}.tmp`, sealAttachmentFile(dk, tenantId, r.id, plain), { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      }
      const filename = await reopen('attachments', 'filename', r.id, r.filename);
      await db
        .updateTable('attachments')
        .set({ filename: sealNullable(dk, tenantId, 'attachments', 'filename', r.id, filename ?? 'file')!, key_version: dk.version })
        .where('id', '=', r.id)
        .where('key_version', '=', r.key_version)
        .execute();
      attachments++;
    }
  }
  const contacts = await reencryptContacts(ctx, tenantId);
  return { messages, visitors, ratings, visitorContexts, attachments, contacts };
}

/**
 * Deletes a tenant: its keys are deleted from the key store first (so every ciphertext of the
 * tenant, in this database, its WAL, replicas or backups, is unreadable from then on), then all its
 * rows. afterErase also scrubs the key store (secure delete + checkpoint, or VACUUM).
 */
export async function deleteTenant(ctx: Services, tenantId: string, who: Accessor): Promise<{ keysDestroyed: number; conversations: number; visitors: number }> {
  const db = ctx.storage.db;
  const tenant = await db.selectFrom('tenants').select(['id', 'slug']).where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw new AppError('not_found', 'tenant not found');
  const count = async (table: 'conversations' | 'visitors') =>
    Number((await db.selectFrom(table).select((e) => e.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);
  const conversations = await count('conversations');
  const visitors = await count('visitors');
  const keys = await ctx.storage.keys.db.deleteFrom('tenant_keys').where('tenant_id', '=', tenantId).executeTakeFirst();
  ctx.keyring.evict(tenantId);
  await recordAccess(ctx, who, 'tenant.delete', [{ tenantId, resourceType: 'tenant', resourceId: tenantId, details: { slug: tenant.slug, conversations, visitors, keysDestroyed: Number(keys.numDeletedRows) } }]);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('webhook_deliveries').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('message_search').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('messages').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('satisfaction_ratings').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('attachments').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('visitor_context').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('conversations').where('tenant_id', '=', tenantId).execute();
    await trx.deleteFrom('visitors').where('tenant_id', '=', tenantId).execute();
    await deleteTenantContacts(trx as unknown as Db, tenantId);
    await trx.deleteFrom('tenants').where('id', '=', tenantId).execute(); // cascades agents, sessions, webhooks, …
  });
  forgetVisitorNames(ctx, tenantId);
  await removeTenantAttachments(ctx.env.dataDir, tenantId);
  await ctx.storage.afterErase();
  return { keysDestroyed: Number(keys.numDeletedRows), conversations, visitors };
}

/** GDPR access request: everything stored about one visitor, opened. */
export async function exportVisitor(ctx: Services, tenantId: string, visitorId: string) {
  const db = ctx.storage.db;
  const row = await db.selectFrom('visitors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', visitorId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'visitor not found');
  const [visitor] = await openVisitors(ctx.keyring, [row]);
  const convs = await db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).orderBy('created_at').execute();
  // Contact-centre data: the identity and pages seen, each conversation's rating and attachments.
  const contact = await contactDataOf(ctx, tenantId, [visitorId], convs.map((c) => c.id));
  const conversations = [];
  for (const c of convs) {
    const msgs = await db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('conversation_id', '=', c.id).orderBy('seq').execute();
    conversations.push({
      id: c.id,
      status: c.status,
      createdAt: new Date(c.created_at).toISOString(),
      updatedAt: new Date(c.updated_at).toISOString(),
      messages: (await openMessages(ctx.keyring, msgs)).map(presentMessage),
      rating: contact.ratings.get(c.id) ?? null,
      attachments: contact.attachments.get(c.id) ?? [],
    });
  }
  return {
    exportedAt: new Date().toISOString(),
    visitor: { ...presentVisitor(visitor!), lastSeenAt: new Date(visitor!.last_seen_at).toISOString() },
    context: contact.contexts.get(visitorId) ?? null,
    conversations,
    proactiveMessages: await proactiveMessagesOf(db, tenantId, visitorId),
  };
}

/** GDPR erasure: deletes the visitor, their context, conversations, messages, search tokens, ratings and attachments (rows and files); their proactive-message rows go with the visitor row (foreign key, on delete cascade). */
export async function eraseVisitor(ctx: Services, tenantId: string, visitorId: string): Promise<{ conversations: number; messages: number }> {
  const db = ctx.storage.db;
  const visitor = await db.selectFrom('visitors').select(['id', 'contact_id']).where('tenant_id', '=', tenantId).where('id', '=', visitorId).executeTakeFirst();
  if (!visitor) throw new AppError('not_found', 'visitor not found');
  const convIds = (await db.selectFrom('conversations').select('id').where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).execute()).map((c) => c.id);
  const files = convIds.length ? (await db.selectFrom('attachments').select('id').where('tenant_id', '=', tenantId).where('conversation_id', 'in', convIds).execute()).map((a) => a.id) : [];
  let messages = 0;
  await db.transaction().execute(async (trx) => {
    if (convIds.length) {
      await trx.deleteFrom('message_search').where('tenant_id', '=', tenantId).where('conversation_id', 'in', convIds).execute();
      const m = await trx.deleteFrom('messages').where('tenant_id', '=', tenantId).where('conversation_id', 'in', convIds).executeTakeFirst();
      messages = Number(m.numDeletedRows);
      await trx.deleteFrom('satisfaction_ratings').where('tenant_id', '=', tenantId).where('conversation_id', 'in', convIds).execute();
      await trx.deleteFrom('attachments').where('tenant_id', '=', tenantId).where('conversation_id', 'in', convIds).execute();
      await trx.deleteFrom('conversations').where('tenant_id', '=', tenantId).where('id', 'in', convIds).execute();
    }
    await trx.deleteFrom('visitor_context').where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).execute();
    await trx.deleteFrom('visitors').where('tenant_id', '=', tenantId).where('id', '=', visitorId).execute();
  });
  // Their contact goes too when this was its last browser (issue 20): its attributes and notes with it.
  if (visitor.contact_id) await deleteEmptyContacts(ctx, tenantId, [visitor.contact_id]);
  forgetVisitorNames(ctx, tenantId, [visitorId]);
  await removeAttachmentFiles(ctx.env.dataDir, tenantId, files);
  await ctx.storage.afterErase();
  return { conversations: convIds.length, messages };
}

/** Runs the retention job on this node every hour (several nodes running it at once is harmless). */
export function startRetentionJob(ctx: Services, intervalMs = 60 * 60_000): () => void {
  const timer = setInterval(() => {
    runRetention(ctx).catch((err: Error) => ctx.log.error({ err: err.message }, 'retention job failed'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
