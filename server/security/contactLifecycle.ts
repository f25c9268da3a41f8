/**
 * Contacts in the data lifecycle (issue 20): GDPR export and erasure of a whole contact (every
 * browser of it through exportVisitor / eraseVisitor, plus the contact's own attributes and notes),
 * contacts left without browsers (retention, visitor erasure), tenant deletion, the key versions
 * contacts and notes keep alive, and re-encryption under a new key.
 */
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { isSealed } from './keyring.js';
import { openField, openNullable, sealNullable } from './sealedFields.js';
import { contactNotes } from '../queries/contactQueries.js';
import '../storage/contactSchema.js';

type Services = Pick<Ctx, 'storage' | 'keyring' | 'log' | 'env'> & Partial<Pick<Ctx, 'bus'>>;

/** The contact's own data, opened: verified user id, attributes, notes. */
export async function contactOwnData(ctx: Services, tenantId: string, contactId: string) {
  const row = await ctx.storage.db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', contactId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'contact not found');
  const attributes = await openNullable(ctx.keyring, tenantId, 'contacts', 'attributes', contactId, row.attributes);
  return {
    id: row.id,
    verified: row.user_key !== null,
    userId: await openNullable(ctx.keyring, tenantId, 'contacts', 'user_id', contactId, row.user_id),
    attributes: attributes ? (JSON.parse(attributes) as Record<string, string>) : {},
    createdAt: new Date(Number(row.created_at)).toISOString(),
    notes: await contactNotes(ctx, tenantId, contactId),
  };
}

/** Deletes contacts of the tenant that no browser belongs to any more, with their notes. */
export async function deleteEmptyContacts(ctx: Services, tenantId: string, ids?: string[]): Promise<number> {
  const db = ctx.storage.db;
  let q = db
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('visitors').select('id').whereRef('visitors.contact_id', '=', 'contacts.id'))));
  if (ids) {
    if (!ids.length) return 0;
    q = q.where('id', 'in', ids);
  }
  const empty = (await q.execute()).map((c) => c.id);
  for (let i = 0; i < empty.length; i += 500) {
    const chunk = empty.slice(i, i + 500);
    await db.deleteFrom('contact_notes').where('tenant_id', '=', tenantId).where('contact_id', 'in', chunk).execute();
    await db.deleteFrom('contacts').where('tenant_id', '=', tenantId).where('id', 'in', chunk).execute();
  }
  return empty.length;
}

export async function deleteTenantContacts(db: Db, tenantId: string): Promise<void> {
  await db.deleteFrom('contact_notes').where('tenant_id', '=', tenantId).execute();
  await db.deleteFrom('contacts').where('tenant_id', '=', tenantId).execute();
}

export async function contactsUseVersion(db: Db, tenantId: string, version: number): Promise<boolean> {
  const c = await db.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).where('key_version', '=', version).where((eb) => eb.or([eb('user_id', 'is not', null), eb('attributes', 'is not', null)])).limit(1).executeTakeFirst();
  if (c) return true;
  return !!(await db.selectFrom('contact_notes').select('id').where('tenant_id', '=', tenantId).where('key_version', '=', version).limit(1).executeTakeFirst());
}

/** Re-seals contacts and notes under the tenant's current data key. */
export async function reencryptContacts(ctx: Services, tenantId: string): Promise<number> {
  const db = ctx.storage.db;
  const dk = await ctx.keyring.dataKey(tenantId);
  const reopen = async (table: string, column: string, rowId: string, value: string | null) => (value === null ? null : isSealed(value) ? openField(ctx.keyring, tenantId, table, column, rowId, value) : value);
  let n = 0;
  for (;;) {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'user_id', 'attributes', 'key_version'])
      .where('tenant_id', '=', tenantId)
      .where('key_version', '!=', dk.version)
      .where((eb) => eb.or([eb('user_id', 'is not', null), eb('attributes', 'is not', null)])) // nothing sealed: nothing to do
      .limit(200)
      .execute();
    if (!rows.length) break;
    for (const r of rows) {
      const userId = await reopen('contacts', 'user_id', r.id, r.user_id);
      const attributes = await reopen('contacts', 'attributes', r.id, r.attributes);
      await db
        .updateTable('contacts')
        .set({ user_id: sealNullable(dk, tenantId, 'contacts', 'user_id', r.id, userId), attributes: sealNullable(dk, tenantId, 'contacts', 'attributes', r.id, attributes), key_version: dk.version })
        .where('id', '=', r.id)
        .where('key_version', '=', r.key_version)
        .execute();
      n++;
    }
  }
  for (;;) {
    const rows = await db.selectFrom('contact_notes').select(['id', 'body', 'key_version']).where('tenant_id', '=', tenantId).where('key_version', '!=', dk.version).limit(200).execute();
    if (!rows.length) break;
    for (const r of rows) {
      const body = await reopen('contact_notes', 'body', r.id, r.body);
      await db.updateTable('contact_notes').set({ body: sealNullable(dk, tenantId, 'contact_notes', 'body', r.id, body ?? '')!, key_version: dk.version }).where('id', '=', r.id).where('key_version', '=', r.key_version).execute();
      n++;
    }
  }
  return n;
}
