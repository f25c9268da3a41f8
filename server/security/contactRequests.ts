/** GDPR requests on a whole contact (issue 20): every browser of it, as for one visitor, plus the contact's own data. */
import type { Ctx } from '../context.js';
import { contactOwnData, deleteEmptyContacts } from './contactLifecycle.js';
import { eraseVisitor, exportVisitor } from './dataLifecycle.js';
import '../storage/contactSchema.js';

type Services = Pick<Ctx, 'storage' | 'keyring' | 'log' | 'env'> & Partial<Pick<Ctx, 'bus'>>;

const visitorsOf = async (ctx: Services, tenantId: string, contactId: string) =>
  (await ctx.storage.db.selectFrom('visitors').select('id').where('tenant_id', '=', tenantId).where('contact_id', '=', contactId).orderBy('created_at').execute()).map((v) => v.id);

export async function exportContact(ctx: Services, tenantId: string, contactId: string) {
  const contact = await contactOwnData(ctx, tenantId, contactId); // not found: 404
  const visitors = [];
  for (const id of await visitorsOf(ctx, tenantId, contactId)) visitors.push(await exportVisitor(ctx, tenantId, id));
  return { exportedAt: new Date().toISOString(), contact: { ...contact, notes: undefined }, notes: contact.notes, visitors };
}

export async function eraseContact(ctx: Services, tenantId: string, contactId: string): Promise<{ visitors: number; conversations: number; messages: number }> {
  await contactOwnData(ctx, tenantId, contactId);
  const ids = await visitorsOf(ctx, tenantId, contactId);
  let conversations = 0;
  let messages = 0;
  for (const id of ids) {
    const r = await eraseVisitor(ctx, tenantId, id);
    conversations += r.conversations;
    messages += r.messages;
  }
  // eraseVisitor removes the contact with its last browser; a contact without any is removed here.
  await deleteEmptyContacts(ctx, tenantId, [contactId]);
  await ctx.storage.afterErase();
  return { visitors: ids.length, conversations, messages };
}
