/**
 * Agents' changes to contacts (issue 20): attributes, notes, merging two contacts. Everything an
 * agent types here is redacted like a message (built-in card rules and the tenant's patterns)
 * before it is sealed under the tenant's data key; nothing of it is stored in clear.
 */
import type { ContactUpdateBody } from '../../protocol/contacts.js';
import { CONTACT_LIMITS } from '../../protocol/contacts.js';
import { redact, redactField } from '../../protocol/redaction.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { newId } from '../security/ids.js';
import { tenantPatterns } from '../security/redactionPatterns.js';
import { openNullable, sealNullable } from '../security/sealedFields.js';
import type { Accessor } from '../security/accessAudit.js';
import { openContactAttributes } from '../queries/contactQueries.js';
import { mergeContacts, sealAttributes } from './contactLinker.js';
import '../storage/contactSchema.js';

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

async function assertContact(ctx: Pick<Ctx, 'storage'>, tenantId: string, id: string): Promise<void> {
  const row = await ctx.storage.db.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'contact not found');
}

/** Sets (string) or removes (null) attributes; the others are kept. At most CONTACT_LIMITS.maxAttributes in all. */
export async function updateContactAttributes(ctx: Ctx, tenantId: string, contactId: string, changes: ContactUpdateBody['attributes']): Promise<void> {
  await assertContact(ctx, tenantId, contactId);
  // Checked here too (whatever the transport): a bad name changes nothing.
  const badName = Object.keys(changes).find((name) => !ATTRIBUTE_NAME.test(name));
  if (badName !== undefined) throw new AppError('validation_failed', `attribute name "${badName.slice(0, 40)}" must be 1-40 letters, digits, "_", "." or "-"`);
  const patterns = await tenantPatterns(ctx.storage, tenantId);
  const attributes = await openContactAttributes(ctx, tenantId, contactId);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete attributes[name];
    else attributes[name] = redactField(value.trim(), patterns);
  }
  if (Object.keys(attributes).length > CONTACT_LIMITS.maxAttributes) throw new AppError('validation_failed', `a contact has at most ${CONTACT_LIMITS.maxAttributes} attributes`);
  // The whole row is re-sealed under the current key: user_id too, so its fields share key_version.
  const row = await ctx.storage.db.selectFrom('contacts').select(['user_id']).where('tenant_id', '=', tenantId).where('id', '=', contactId).executeTakeFirstOrThrow();
  const userId = await openNullable(ctx.keyring, tenantId, 'contacts', 'user_id', contactId, row.user_id);
  const dk = await ctx.keyring.dataKey(tenantId);
  await ctx.storage.db
    .updateTable('contacts')
    .set({ attributes: sealAttributes(dk, tenantId, contactId, attributes), user_id: sealNullable(dk, tenantId, 'contacts', 'user_id', contactId, userId), key_version: dk.version, updated_at: Date.now() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', contactId)
    .execute();
}

export async function addContactNote(ctx: Ctx, tenantId: string, contactId: string, authorId: string | null, text: string): Promise<string> {
  await assertContact(ctx, tenantId, contactId);
  const body = redact(text.trim(), await tenantPatterns(ctx.storage, tenantId)).text;
  if (!body) throw new AppError('validation_failed', 'note body is empty');
  if (body.length > CONTACT_LIMITS.maxNoteChars) throw new AppError('validation_failed', `a note is at most ${CONTACT_LIMITS.maxNoteChars} characters`);
  const id = newId('note');
  const dk = await ctx.keyring.dataKey(tenantId);
  await ctx.storage.db
    .insertInto('contact_notes')
    .values({ id, tenant_id: tenantId, contact_id: contactId, author_id: authorId, body: sealNullable(dk, tenantId, 'contact_notes', 'body', id, body)!, created_at: Date.now(), key_version: dk.version })
    .execute();
  return id;
}

/** An agent merges one contact into another of the same tenant (both must exist; two verified shoppers are never merged). */
export async function mergeContactInto(ctx: Ctx, tenantId: string, fromId: string, intoId: string, who: Accessor): Promise<void> {
  if (fromId === intoId) throw new AppError('validation_failed', 'a contact cannot be merged into itself');
  const rows = await ctx.storage.db.selectFrom('contacts').select(['id', 'user_key']).where('tenant_id', '=', tenantId).where('id', 'in', [fromId, intoId]).execute();
  const from = rows.find((r) => r.id === fromId);
  const into = rows.find((r) => r.id === intoId);
  if (!from || !into) throw new AppError('not_found', 'contact not found');
  // A verified contact is one proven identity: folding it into another would show one shopper's
  // conversations to another on their devices.
  if (from.user_key !== null) throw new AppError('validation_failed', 'a verified contact cannot be merged into another contact; merge the other one into it');
  await mergeContacts(ctx, tenantId, fromId, intoId, who, 'agent');
}
