/**
 * Contacts (issue 20): a customer of a tenant, with every browser (visitor) they used, their
 * conversations, attributes and agents' notes. A verified contact gathers every device on which the
 * shopper proved the same identity; an anonymous one is a single browser.
 */
import Type, { type Static } from 'typebox';
import { ConversationView, VisitorView } from './records.js';

const DateTime = Type.String({ format: 'date-time' });

/** Attribute names: letters, digits, `_ . -`, up to 40 characters; values plain text up to 500. */
export const CONTACT_LIMITS = { maxAttributes: 50, maxAttributeChars: 500, maxNoteChars: 5000 } as const;
const AttributeName = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' });

export const ContactView = Type.Object({
  id: Type.String(),
  /** A shopper whose identity the tenant's backend signed (HMAC or JWT). */
  verified: Type.Boolean(),
  /** The verified user id (null for an anonymous contact). */
  userId: Type.Union([Type.String(), Type.Null()]),
  /** From the contact's most recently seen browser that gave one. */
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.String()),
  visitors: Type.Array(VisitorView),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type ContactView = Static<typeof ContactView>;

export const ContactList = Type.Object({ items: Type.Array(ContactView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ContactListQuery = Type.Object(
  {
    /** An exact verified user id, or part of a name or email (searched among the 1,000 most recently active contacts: names are sealed). */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ContactListQuery = Static<typeof ContactListQuery>;

/** Attributes to set (a string) or remove (null); the others are kept. */
export const ContactUpdateBody = Type.Object(
  { attributes: Type.Record(AttributeName, Type.Union([Type.String({ maxLength: CONTACT_LIMITS.maxAttributeChars }), Type.Null()]), { maxProperties: CONTACT_LIMITS.maxAttributes }) },
  { additionalProperties: false },
);
export type ContactUpdateBody = Static<typeof ContactUpdateBody>;

export const ContactConversations = Type.Object({ items: Type.Array(ConversationView) });

export const ContactNoteView = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  author: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  /** Plain text, card numbers redacted. Never HTML. */
  body: Type.String(),
  createdAt: DateTime,
});
export type ContactNoteView = Static<typeof ContactNoteView>;
export const ContactNoteList = Type.Object({ items: Type.Array(ContactNoteView) });
export const ContactNoteBody = Type.Object({ body: Type.String({ minLength: 1, maxLength: CONTACT_LIMITS.maxNoteChars }) }, { additionalProperties: false });

/** Merge the contact of the path into `into`: its browsers, conversations, notes and attributes move there. */
export const ContactMergeBody = Type.Object({ into: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
