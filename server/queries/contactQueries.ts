/**
 * Read models of contacts (issue 20), always scoped to one tenant. Sealed fields (the verified user
 * id, attributes, notes, and the visitors' names) are opened here, as in the other read models.
 */
import type { ContactNoteView, ContactView } from '../../protocol/contacts.js';
import type { ConversationView } from '../../protocol/records.js';
import { AppError } from '../errors.js';
import type { Ctx } from '../context.js';
import { openNullable, openVisitors } from '../security/sealedFields.js';
import { blindToken } from '../security/blindIndex.js';
import { presentContact, presentContactNote } from '../presenters/contactPresenter.js';
import type { Contact } from '../storage/contactSchema.js';
import type { Transaction } from 'kysely';
import type { Database } from '../storage/schema.js';
import { conversationViews, type Readers } from './conversationQueries.js';

/** How many recently active contacts a name or email search opens (names and emails are sealed: no SQL search). */
export const CONTACT_SCAN_LIMIT = 1000;

export async function openContactAttributes(readers: Pick<Ctx, 'storage' | 'keyring'>, tenantId: string, contactId: string): Promise<Record<string, string>> {
  const row = await readers.storage.db.selectFrom('contacts').select(['attributes']).where('tenant_id', '=', tenantId).where('id', '=', contactId).executeTakeFirst();
  return attributesOf(readers, tenantId, contactId, row?.attributes ?? null);
}

async function attributesOf(readers: Pick<Ctx, 'keyring'>, tenantId: string, contactId: string, sealed: string | null): Promise<Record<string, string>> {
  const json = await openNullable(readers.keyring, tenantId, 'contacts', 'attributes', contactId, sealed);
  return json ? (JSON.parse(json) as Record<string, string>) : {};
}

async function contactViews(readers: Readers, tenantId: string, rows: Contact[]): Promise<ContactView[]> {
  if (!rows.length) return [];
  const db = readers.storage.db;
  const visitors = await db
    .selectFrom('visitors')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('contact_id', 'in', rows.map((r) => r.id))
    .orderBy('last_seen_at', 'desc')
    .execute();
  const opened = await openVisitors(readers.keyring, visitors);
  return Promise.all(
    rows.map(async (r) => {
      const userId = await openNullable(readers.keyring, tenantId, 'contacts', 'user_id', r.id, r.user_id);
      return presentContact({ ...r, user_id: userId }, await attributesOf(readers, tenantId, r.id, r.attributes), opened.filter((v) => v.contact_id === r.id));
    }),
  );
}

export async function contactView(readers: Readers, tenantId: string, id: string): Promise<ContactView> {
  const row = await readers.storage.db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'contact not found');
  return (await contactViews(readers, tenantId, [row]))[0]!;
}

const parseCursor = (cursor: string): { at: number; id: string } => {
  const m = /^(\d{1,16}):([A-Za-z0-9_]{1,64})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not valid');
  return { at: Number(m[1]), id: m[2]! };
};

/**
 * Contacts, most recently active first. `q`: a verified user id (exact, through its blind token), or
 * part of a name or email, matched case-insensitively among the CONTACT_SCAN_LIMIT most recently
 * active contacts after opening them.
 */
export async function listContacts(readers: Readers, tenantId: string, q: { q?: string; limit?: number; cursor?: string }): Promise<{ items: ContactView[]; nextCursor: string | null }> {
  const db = readers.storage.db;
  const limit = q.limit ?? 50;
  let query = db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId);
  if (q.cursor) {
    const { at, id } = parseCursor(q.cursor);
    query = query.where((eb) => eb.or([eb('updated_at', '<', at), eb.and([eb('updated_at', '=', at), eb('id', '<', id)])]));
  }
  query = query.orderBy('updated_at', 'desc').orderBy('id', 'desc');
  if (!q.q) {
    const rows = await query.limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: await contactViews(readers, tenantId, page), nextCursor: rows.length > limit && last ? `${last.updated_at}:${last.id}` : null };
  }
  const needle = q.q.trim().toLowerCase();
  const key = blindToken(await readers.keyring.searchKey(tenantId), `user:${q.q.trim()}`);
  const exact = await db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('user_key', '=', key).execute();
  const scanned = await contactViews(readers, tenantId, await query.limit(CONTACT_SCAN_LIMIT).execute());
  const matches = scanned.filter((c) => c.visitors.some((v) => v.name?.toLowerCase().includes(needle) || v.email?.toLowerCase().includes(needle)));
  const items = [...(await contactViews(readers, tenantId, exact.filter((e) => !matches.some((m) => m.id === e.id)))), ...matches].slice(0, limit);
  return { items, nextCursor: null };
}

/** The contact's conversations (those of all its browsers): open ones first, then newest first. */
export async function contactConversations(readers: Readers, tenantId: string, contactId: string, limit = 100): Promise<ConversationView[]> {
  const rows = await readers.storage.db
    .selectFrom('conversations')
    .selectAll('conversations')
    .innerJoin('visitors', 'visitors.id', 'conversations.visitor_id')
    .where('conversations.tenant_id', '=', tenantId)
    .where('visitors.tenant_id', '=', tenantId)
    .where('visitors.contact_id', '=', contactId)
    .orderBy('conversations.updated_at', 'desc')
    .limit(limit)
    .execute();
  const views = await conversationViews(readers, tenantId, rows);
  return [...views.filter((c) => c.status === 'open'), ...views.filter((c) => c.status !== 'open')];
}

export async function contactNotes(readers: Readers, tenantId: string, contactId: string): Promise<ContactNoteView[]> {
  const db = readers.storage.db;
  const rows = await db.selectFrom('contact_notes').selectAll().where('tenant_id', '=', tenantId).where('contact_id', '=', contactId).orderBy('created_at', 'desc').limit(200).execute();
  const authorIds = [...new Set(rows.map((r) => r.author_id).filter((x): x is string => !!x))];
  const authors = authorIds.length ? await db.selectFrom('agents').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', authorIds).execute() : [];
  return Promise.all(
    rows.map(async (r) => {
      const body = (await openNullable(readers.keyring, tenantId, 'contact_notes', 'body', r.id, r.body)) ?? '';
      const author = authors.find((a) => a.id === r.author_id) ?? null;
      return presentContactNote({ ...r, body }, author);
    }),
  );
}

/**
 * The contact of a visitor, and the browsers whose conversations it sees: every browser of the
 * contact that proved its verified identity, when this one did too; otherwise itself alone.
 */
export async function contactOfVisitor(readers: Pick<Ctx, 'storage'>, tenantId: string, visitorId: string): Promise<{ contactId: string | null; visitorIds: string[] }> {
  const db = readers.storage.db;
  const row = await db.selectFrom('visitors').select(['contact_id', 'contact_shared']).where('tenant_id', '=', tenantId).where('id', '=', visitorId).executeTakeFirst();
  if (!row?.contact_id || row.contact_shared !== 1) return { contactId: row?.contact_id ?? null, visitorIds: [visitorId] };
  const ids = (await db.selectFrom('visitors').select('id').where('tenant_id', '=', tenantId).where('contact_id', '=', row.contact_id).where('contact_shared', '=', 1).execute()).map((v) => v.id);
  return { contactId: row.contact_id, visitorIds: ids.includes(visitorId) ? ids : [...ids, visitorId] };
}

/** The conversations of these browsers: open ones first, then most recently active first. */
export async function conversationsOfVisitors(readers: Readers, tenantId: string, visitorIds: readonly string[], limit = 100): Promise<ConversationView[]> {
  if (!visitorIds.length) return [];
  const rows = await readers.storage.db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('visitor_id', 'in', [...visitorIds])
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
  const views = await conversationViews(readers, tenantId, rows);
  return [...views.filter((c) => c.status === 'open'), ...views.filter((c) => c.status !== 'open')];
}

/** Whether this visitor may see that conversation: it is theirs, or of another browser that proved the same verified identity. */
export async function visitorMaySee(readers: Pick<Ctx, 'storage'>, tenantId: string, visitorId: string, conversationId: string): Promise<boolean> {
  return (await ownerVisibleTo(readers, tenantId, visitorId, conversationId)) !== null;
}

/** The conversation's own visitor (this one, or another browser of its verified contact) when `visitorId` may see it; else null. */
export async function ownerVisibleTo(readers: Pick<Ctx, 'storage'>, tenantId: string, visitorId: string, conversationId: string): Promise<string | null> {
  const db = readers.storage.db;
  const conv = await db.selectFrom('conversations').select('visitor_id').where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
  if (!conv) return null;
  if (conv.visitor_id === visitorId || (await sameSharedContact(db, tenantId, conv.visitor_id, visitorId))) return conv.visitor_id;
  return null;
}

/**
 * The same rule for a visitor's other calls on a conversation (rating, transcript by email, file
 * upload): theirs or their verified contact's, else "not found" (never "forbidden": a caller cannot
 * learn that another's conversation exists).
 */
export async function assertVisitorMaySee(readers: Pick<Ctx, 'storage'>, visitor: { tenantId: string; visitorId: string }, conversationId: string): Promise<void> {
  if (!(await visitorMaySee(readers, visitor.tenantId, visitor.visitorId, conversationId))) throw new AppError('not_found', 'conversation not found');
}

/** Both browsers proved the same contact's verified identity. */
export async function sameSharedContact(db: Pick<Ctx['storage'], 'db'>['db'] | Transaction<Database>, tenantId: string, a: string, b: string): Promise<boolean> {
  const both = await db.selectFrom('visitors').select(['id', 'contact_id', 'contact_shared']).where('tenant_id', '=', tenantId).where('id', 'in', [a, b]).execute();
  const x = both.find((v) => v.id === a);
  const y = both.find((v) => v.id === b);
  return !!x && !!y && x.contact_shared === 1 && y.contact_shared === 1 && !!x.contact_id && x.contact_id === y.contact_id;
}
