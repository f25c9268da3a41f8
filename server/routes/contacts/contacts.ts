/**
 * Contacts (issue 20): list/search, read, update attributes, notes, conversations, merge, and the
 * GDPR requests on a whole contact (export, erasure; admin scope). Every route is scoped to the
 * caller's tenant (another tenant's contact is "not found") and every read is in the access audit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { IdParams } from '../../../protocol/admin.js';
import { ContactConversations, ContactList, ContactListQuery, ContactMergeBody, ContactNoteBody, ContactNoteList, ContactNoteView, ContactUpdateBody, ContactView } from '../../../protocol/contacts.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { addContactNote, mergeContactInto, updateContactAttributes } from '../../commands/contactEditor.js';
import { contactConversations, contactNotes, contactView, listContacts } from '../../queries/contactQueries.js';
import { audited, recordAccess, type Exposure } from '../../security/accessAudit.js';
import { eraseContact, exportContact } from '../../security/contactRequests.js';
import { principalAccessor } from '../auth/requireAuth.js';
import type { ApiOp } from '../api/apiRoute.js';

export function contactRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): void {
  const who = (req: FastifyRequest) => principalAccessor(req.principal);
  const tenant = (req: FastifyRequest) => req.principal.tenantId;
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
  /** One entry for the contact, and one per browser of it, so exposure reports name the visitors. */
  const exposures = (tenantId: string, c: ContactView): Exposure[] => [
    { tenantId, resourceType: 'contact', resourceId: c.id },
    ...c.visitors.map((v) => ({ tenantId, resourceType: 'visitor' as const, visitorId: v.id, details: { contactId: c.id } })),
  ];
  /**
   * Agents' notes are about the person: one entry per browser of the contact (the exposure report
   * lists accesses by visitor and conversation, so an entry naming only the contact would be missing
   * from it).
   */
  const noteExposures = (tenantId: string, contactId: string, visitorIds: string[], count: number): Exposure[] =>
    count === 0 ? [] : visitorIds.map((visitorId) => ({ tenantId, resourceType: 'contact_note', resourceId: contactId, visitorId, details: { count } }));

  app.get('/api/contacts', op('contacts', 'contacts:read', { summary: 'List or search contacts, most recently active first', querystring: ContactListQuery, response: ContactList }), async (req) => {
    const page = await listContacts(ctx, tenant(req), req.query as ContactListQuery);
    return audited(ctx, who(req), 'contact.list', page, (p) => p.items.flatMap((c) => exposures(tenant(req), c)));
  });

  app.get('/api/contacts/:id', op('contacts', 'contacts:read', { summary: 'Get a contact', params: IdParams, response: ContactView }), async (req) => {
    const c = await contactView(ctx, tenant(req), idOf(req));
    return audited(ctx, who(req), 'contact.read', c, (x) => exposures(tenant(req), x));
  });

  app.patch('/api/contacts/:id', op('contacts', 'contacts:write', { summary: "Set or remove a contact's attributes", params: IdParams, body: ContactUpdateBody, response: ContactView }), async (req) => {
    const body = req.body as ContactUpdateBody;
    await updateContactAttributes(ctx, tenant(req), idOf(req), body.attributes);
    await recordAccess(ctx, who(req), 'contact.update', [{ tenantId: tenant(req), resourceType: 'contact', resourceId: idOf(req), details: { attributes: Object.keys(body.attributes) } }]);
    const c = await contactView(ctx, tenant(req), idOf(req));
    return audited(ctx, who(req), 'contact.read', c, (x) => exposures(tenant(req), x));
  });

  app.get('/api/contacts/:id/conversations', op('contacts', 'contacts:read', { summary: "A contact's conversations (all its browsers), open ones first", params: IdParams, response: ContactConversations }), async (req) => {
    await contactView(ctx, tenant(req), idOf(req)); // not found in this tenant: 404
    const items = await contactConversations(ctx, tenant(req), idOf(req));
    return audited(ctx, who(req), 'conversation.list', { items }, (r) => r.items.map((c) => ({ tenantId: tenant(req), resourceType: 'conversation' as const, conversationId: c.id, visitorId: c.visitor.id })));
  });

  app.get('/api/contacts/:id/notes', op('contacts', 'contacts:read', { summary: "Agents' notes on a contact, newest first", params: IdParams, response: ContactNoteList }), async (req) => {
    const c = await contactView(ctx, tenant(req), idOf(req));
    const items = await contactNotes(ctx, tenant(req), idOf(req));
    return audited(ctx, who(req), 'contact_note.read', { items }, (r) => noteExposures(tenant(req), c.id, c.visitors.map((v) => v.id), r.items.length));
  });

  app.post('/api/contacts/:id/notes', op('contacts', 'contacts:write', { summary: 'Add a note to a contact (card numbers are redacted; stored encrypted)', params: IdParams, body: ContactNoteBody, response: ContactNoteView, status: 201 }), async (req, reply) => {
    const noteId = await addContactNote(ctx, tenant(req), idOf(req), req.principal.agent.id, (req.body as { body: string }).body);
    await recordAccess(ctx, who(req), 'contact_note.create', [{ tenantId: tenant(req), resourceType: 'contact_note', resourceId: noteId, details: { contactId: idOf(req) } }]);
    const note = (await contactNotes(ctx, tenant(req), idOf(req))).find((n) => n.id === noteId);
    if (!note) throw new AppError('internal', 'note vanished');
    return reply.code(201).send(note);
  });

  app.post('/api/contacts/:id/merge', op('contacts', 'contacts:write', { summary: "Merge this contact into another: its browsers, conversations, notes and attributes move there", params: IdParams, body: ContactMergeBody, response: ContactView }), async (req) => {
    const into = (req.body as { into: string }).into;
    await mergeContactInto(ctx, tenant(req), idOf(req), into, who(req));
    const c = await contactView(ctx, tenant(req), into);
    return audited(ctx, who(req), 'contact.read', c, (x) => exposures(tenant(req), x));
  });

  app.get('/api/contacts/:id/export', op('contacts', 'admin', { summary: 'GDPR access request: everything stored about a contact and all its browsers', params: IdParams, response: Type.Unknown() }), async (req, reply) => {
    const data = await exportContact(ctx, tenant(req), idOf(req));
    await audited(ctx, who(req), 'contact.export', null, [
      { tenantId: tenant(req), resourceType: 'contact', resourceId: idOf(req), details: { visitors: data.visitors.length, notes: data.notes.length } },
      ...noteExposures(tenant(req), idOf(req), data.visitors.map((v) => v.visitor.id), data.notes.length),
      ...data.visitors.flatMap((v) => [
        { tenantId: tenant(req), resourceType: 'visitor' as const, visitorId: v.visitor.id, details: { conversations: v.conversations.length } },
        ...v.conversations.map((c) => ({ tenantId: tenant(req), resourceType: 'messages' as const, conversationId: c.id, visitorId: v.visitor.id, details: { count: c.messages.length } })),
      ]),
    ]);
    return reply.header('content-disposition', `attachment; filename="contact-${idOf(req)}.json"`).send(data);
  });

  app.delete('/api/contacts/:id', op('contacts', 'admin', { summary: 'GDPR erasure: the contact, its notes, and all its browsers with their conversations', params: IdParams, status: 204 }), async (req, reply) => {
    const id = idOf(req);
    const visitorIds = (await ctx.storage.db.selectFrom('visitors').select('id').where('tenant_id', '=', tenant(req)).where('contact_id', '=', id).execute()).map((v) => v.id);
    await contactView(ctx, tenant(req), id);
    // Recorded before the erasure, so the chain says who erased what even if the request dies half-way.
    await recordAccess(ctx, who(req), 'contact.erase', [{ tenantId: tenant(req), resourceType: 'contact', resourceId: id }, ...visitorIds.map((visitorId) => ({ tenantId: tenant(req), resourceType: 'visitor' as const, visitorId }))]);
    await eraseContact(ctx, tenant(req), id);
    return reply.code(204).send();
  });
}
