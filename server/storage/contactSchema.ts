/**
 * Tables of contacts (migration 0130), merged into the Database interface of schema.ts by
 * declaration merging so that shared file is not widened.
 */
import type { Selectable } from 'kysely';

export interface ContactTable {
  id: string;
  tenant_id: string;
  /** Blind-index token of the verified user id (security/blindIndex.ts); null: an anonymous contact. */
  user_key: string | null;
  /** The verified user id, sealed (security/sealedFields.ts) under key_version. */
  user_id: string | null;
  /** JSON object of string attributes, sealed under key_version; null: none. */
  attributes: string | null;
  created_at: number;
  updated_at: number;
  key_version: number;
}

export interface ContactNoteTable {
  id: string;
  tenant_id: string;
  contact_id: string;
  author_id: string | null;
  /** Redacted, then sealed under key_version. */
  body: string;
  created_at: number;
  key_version: number;
}

declare module './schema.js' {
  interface Database {
    contacts: ContactTable;
    contact_notes: ContactNoteTable;
  }
  interface VisitorTable {
    /** The contact this visitor (one browser) belongs to (0130). */
    contact_id?: string | null;
    /** 1: this browser proved the contact's verified identity, and shares its conversations with the contact's other such browsers (0130). */
    contact_shared?: number;
  }
}

export type Contact = Selectable<ContactTable>;
export type ContactNote = Selectable<ContactNoteTable>;
