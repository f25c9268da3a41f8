/** How a contact and its notes become JSON (HTTP; the presenters of protocol/contacts.ts). */
import type { ContactNoteView, ContactView } from '../../protocol/contacts.js';
import type { Visitor } from '../storage/schema.js';
import type { Contact, ContactNote } from '../storage/contactSchema.js';
import { presentVisitor } from './presenters.js';

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/** `contact` opened (user_id and attributes in clear); `visitors` opened, most recently seen first. */
export function presentContact(contact: Contact, attributes: Record<string, string>, visitors: Visitor[]): ContactView {
  return {
    id: contact.id,
    verified: contact.user_key !== null,
    userId: contact.user_id,
    name: visitors.find((v) => v.name)?.name ?? null,
    email: visitors.find((v) => v.email)?.email ?? null,
    attributes,
    visitors: visitors.map(presentVisitor),
    createdAt: iso(contact.created_at),
    updatedAt: iso(contact.updated_at),
  };
}

export function presentContactNote(note: ContactNote, author: { id: string; name: string } | null): ContactNoteView {
  return { id: note.id, contactId: note.contact_id, author, body: note.body, createdAt: iso(note.created_at) };
}
