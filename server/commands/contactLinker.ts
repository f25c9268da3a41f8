/**
 * Which contact a visitor (one browser) belongs to (issue 20). A shopper whose identity the
 * tenant's backend vouched for (HMAC or JWT, security/visitorIdentity.ts) has one contact, found by
 * the blind-index token of their user id, whatever the device: every browser proving that identity
 * joins it and sees its conversations. Anyone else has an anonymous contact of their own browser.
 *
 * An anonymous visitor who logs in (a verified identity appears on their next session) keeps their
 * conversations: their anonymous contact is merged into the verified one (or becomes it, when the
 * shopper had none yet), recorded in the access audit. A browser whose visitor belongs to a verified
 * contact never continues without that same proof: logged out, or another shopper logged in, it gets
 * a new visitor, so a shared computer never shows one shopper's conversations to the next.
 */
import type { Ctx } from '../context.js';
import { newId } from '../security/ids.js';
import { blindToken } from '../security/blindIndex.js';
import { recordAccess, type Accessor } from '../security/accessAudit.js';
import { openNullable, sealNullable } from '../security/sealedFields.js';
import { AppError } from '../errors.js';
import { openContactAttributes } from '../queries/contactQueries.js';
import '../storage/contactSchema.js';

type Services = Pick<Ctx, 'storage' | 'keyring' | 'bus' | 'log'>;

/** The token under which a verified user id is found: HMAC under the tenant's search key, never the id. */
export async function userKeyOf(ctx: Pick<Ctx, 'keyring'>, tenantId: string, userId: string): Promise<string> {
  return blindToken(await ctx.keyring.searchKey(tenantId), `user:${userId}`);
}

export async function createAnonymousContact(ctx: Services, tenantId: string, now = Date.now()): Promise<string> {
  const id = newId('ct');
  await ctx.storage.db.insertInto('contacts').values({ id, tenant_id: tenantId, user_key: null, user_id: null, attributes: null, created_at: now, updated_at: now, key_version: 0 }).execute();
  return id;
}

/** The verified contact of `userId`, created if none. Two devices creating it at once find the same row. */
export async function verifiedContact(ctx: Services, tenantId: string, userId: string, now = Date.now()): Promise<string> {
  const db = ctx.storage.db;
  const key = await userKeyOf(ctx, tenantId, userId);
  const find = () => db.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).where('user_key', '=', key).executeTakeFirst();
  const found = await find();
  if (found) return found.id;
  const id = newId('ct');
  const dk = await ctx.keyring.dataKey(tenantId);
  await db
    .insertInto('contacts')
    .values({ id, tenant_id: tenantId, user_key: key, user_id: sealNullable(dk, tenantId, 'contacts', 'user_id', id, userId), attributes: null, created_at: now, updated_at: now, key_version: dk.version })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_key']).doNothing())
    .execute();
  return (await find())!.id;
}

/** The contact's user key (null: anonymous), or undefined when the contact does not exist in this tenant. */
export async function contactUserKey(ctx: Services, tenantId: string, contactId: string): Promise<string | null | undefined> {
  const row = await ctx.storage.db.selectFrom('contacts').select('user_key').where('tenant_id', '=', tenantId).where('id', '=', contactId).executeTakeFirst();
  return row ? row.user_key : undefined;
}

/**
 * An anonymous visitor proved `userId`: their anonymous contact joins the verified one. With no
 * verified contact yet, the anonymous contact becomes it (keeps its id, gains the key); otherwise
 * its visitors, notes and attributes move into the verified contact and it is deleted. Audited.
 */
export async function verifyAnonymousContact(ctx: Services, tenantId: string, anonymousId: string, userId: string, who: Accessor, now = Date.now()): Promise<string> {
  const db = ctx.storage.db;
  const key = await userKeyOf(ctx, tenantId, userId);
  const existing = await db.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).where('user_key', '=', key).executeTakeFirst();
  if (!existing) {
    const dk = await ctx.keyring.dataKey(tenantId);
    const attributes = await openContactAttributes(ctx, tenantId, anonymousId);
    const upgraded = await db
      .updateTable('contacts')
      .set({ user_key: key, user_id: sealNullable(dk, tenantId, 'contacts', 'user_id', anonymousId, userId), attributes: sealAttributes(dk, tenantId, anonymousId, attributes), key_version: dk.version, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', anonymousId)
      .where('user_key', 'is', null)
      .executeTakeFirst()
      .catch((err: unknown) => {
        if (ctx.storage.isUniqueViolation(err)) return null; // another device created it meanwhile: merge below
        throw err;
      });
    if (upgraded && Number(upgraded.numUpdatedRows) === 1) {
      await recordAccess(ctx, who, 'contact.verify', [{ tenantId, resourceType: 'contact', resourceId: anonymousId, details: { contactId: anonymousId } }]);
      await publishLinked(ctx, tenantId, anonymousId);
      return anonymousId;
    }
  }
  const target = existing?.id ?? (await verifiedContact(ctx, tenantId, userId, now));
  await mergeContacts(ctx, tenantId, anonymousId, target, who, 'login');
  return target;
}

/**
 * Moves everything of contact `fromId` into `intoId` (visitors, hence their conversations; notes;
 * attributes, `intoId`'s winning where both have one) and deletes `fromId`. Recorded first in the
 * access audit, so the chain says who merged what even if the merge is interrupted.
 */
export async function mergeContacts(ctx: Services, tenantId: string, fromId: string, intoId: string, who: Accessor, reason: 'login' | 'agent'): Promise<{ visitors: number; notes: number }> {
  const db = ctx.storage.db;
  const visitorIds = (await db.selectFrom('visitors').select('id').where('tenant_id', '=', tenantId).where('contact_id', '=', fromId).execute()).map((v) => v.id);
  await recordAccess(ctx, who, 'contact.merge', [
    { tenantId, resourceType: 'contact', resourceId: intoId, details: { from: fromId, into: intoId, reason, visitors: visitorIds } },
    ...visitorIds.map((visitorId) => ({ tenantId, resourceType: 'visitor' as const, visitorId, details: { from: fromId, into: intoId } })),
  ]);
  const [fromAttrs, intoAttrs] = await Promise.all([openContactAttributes(ctx, tenantId, fromId), openContactAttributes(ctx, tenantId, intoId)]);
  const dk = await ctx.keyring.dataKey(tenantId);
  const into = await db.selectFrom('contacts').select(['user_id']).where('tenant_id', '=', tenantId).where('id', '=', intoId).executeTakeFirst();
  if (!into) throw new AppError('not_found', 'contact not found');
  const userId = await openNullable(ctx.keyring, tenantId, 'contacts', 'user_id', intoId, into.user_id);
  let notes = 0;
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('visitors').set({ contact_id: intoId }).where('tenant_id', '=', tenantId).where('contact_id', '=', fromId).execute();
    const moved = await trx.updateTable('contact_notes').set({ contact_id: intoId }).where('tenant_id', '=', tenantId).where('contact_id', '=', fromId).executeTakeFirst();
    notes = Number(moved.numUpdatedRows);
    // The attributes are re-sealed whole with this key version; the verified identity is re-sealed too,
    // so every sealed field of the row shares its key_version.
    await trx
      .updateTable('contacts')
      .set({ attributes: sealAttributes(dk, tenantId, intoId, { ...fromAttrs, ...intoAttrs }), user_id: sealNullable(dk, tenantId, 'contacts', 'user_id', intoId, userId), key_version: dk.version, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', intoId)
      .execute();
    await trx.deleteFrom('contacts').where('tenant_id', '=', tenantId).where('id', '=', fromId).execute();
  });
  await publishLinked(ctx, tenantId, intoId);
  return { visitors: visitorIds.length, notes };
}

export function sealAttributes(dk: Parameters<typeof sealNullable>[0], tenantId: string, contactId: string, attributes: Record<string, string>): string | null {
  return Object.keys(attributes).length ? sealNullable(dk, tenantId, 'contacts', 'attributes', contactId, JSON.stringify(attributes)) : null;
}

/** Tells every node which browsers now share the contact's conversations: their sockets start following each other's. */
export async function publishLinked(ctx: Services, tenantId: string, contactId: string): Promise<void> {
  const visitorIds = (await ctx.storage.db.selectFrom('visitors').select('id').where('tenant_id', '=', tenantId).where('contact_id', '=', contactId).where('contact_shared', '=', 1).execute()).map((v) => v.id);
  if (visitorIds.length < 2) return;
  await ctx.bus.publish({ type: 'contact.linked', tenantId, contactId, visitorIds }).catch((err: Error) => ctx.log.warn({ err: err.message }, 'contact.linked not published: other devices follow after reconnecting'));
}
