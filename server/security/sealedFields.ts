/**
 * Which columns are encrypted at rest, and the one place rows are sealed before writing and opened
 * after reading. Each value's AAD is `<tenant>|<table>.<column>|<row id>`: a ciphertext copied to
 * another row, column or tenant does not open. All sealed fields of a row use the DEK version in its
 * `key_version` column, so the retention job knows which versions still protect live rows.
 *
 * - messages: body, author_name (a visitor's name is copied into their messages), attachment (JSON
 *   metadata of a file sent with the message: its name, type, size and URL)
 * - visitors: name, email, current_page, user_agent
 * - satisfaction_ratings: comment (row key: conversation_id, the rating's unique key, because
 *   rating again upserts on it)
 * - visitor_context: user_id, pages, page_context (row key: visitor_id)
 * - attachments: filename, and the file's bytes on disk (`<tenant>|attachments.file|<id>`)
 */
import type { Keyring, DataKey } from './keyring.js';
import { sealBytesWith, sealWith } from './keyring.js';
import type { Message, Visitor } from '../storage/schema.js';

export const aadFor = (tenantId: string, table: string, column: string, rowId: string) => `${tenantId}|${table}.${column}|${rowId}`;

const MESSAGE_FIELDS = ['body', 'author_name'] as const;
const VISITOR_FIELDS = ['name', 'email', 'current_page', 'user_agent'] as const;

type MessageFields = Pick<Message, 'id' | 'tenant_id' | 'body' | 'author_name'> & { attachment?: string | null };

export function sealMessage<T extends MessageFields>(dk: DataKey, m: T): T & { key_version: number } {
  const out = { ...m, key_version: dk.version };
  for (const f of MESSAGE_FIELDS) out[f] = sealWith(dk, aadFor(m.tenant_id, 'messages', f, m.id), m[f]);
  if (m.attachment) out.attachment = sealWith(dk, aadFor(m.tenant_id, 'messages', 'attachment', m.id), m.attachment);
  return out;
}

export async function openMessages<T extends MessageFields>(keyring: Keyring, rows: T[]): Promise<T[]> {
  return Promise.all(
    rows.map(async (m) => {
      const out = { ...m };
      for (const f of MESSAGE_FIELDS) out[f] = await keyring.open(m.tenant_id, aadFor(m.tenant_id, 'messages', f, m.id), m[f]);
      if (m.attachment) out.attachment = await keyring.open(m.tenant_id, aadFor(m.tenant_id, 'messages', 'attachment', m.id), m.attachment);
      return out;
    }),
  );
}

type VisitorFields = Pick<Visitor, 'id' | 'tenant_id' | 'name' | 'email' | 'current_page' | 'user_agent'>;

export function sealVisitor<T extends VisitorFields>(dk: DataKey, v: T): T & { key_version: number } {
  const out = { ...v, key_version: dk.version };
  for (const f of VISITOR_FIELDS) {
    const value = v[f];
    out[f] = value === null ? null : sealWith(dk, aadFor(v.tenant_id, 'visitors', f, v.id), value);
  }
  return out;
}

export async function openVisitors<T extends VisitorFields>(keyring: Keyring, rows: T[]): Promise<T[]> {
  return Promise.all(
    rows.map(async (v) => {
      const out = { ...v };
      for (const f of VISITOR_FIELDS) {
        const value = v[f];
        out[f] = value === null ? null : await keyring.open(v.tenant_id, aadFor(v.tenant_id, 'visitors', f, v.id), value);
      }
      return out;
    }),
  );
}

/**
 * One sealed column of any other table (JSON blobs, comments, metadata): seal under the tenant's
 * current key, open with whatever version the value names. Use for every new column holding
 * visitor data or message text, so nothing of it is stored in clear.
 */
export async function sealField(keyring: Keyring, tenantId: string, table: string, column: string, rowId: string, value: string): Promise<string> {
  return sealWith(await keyring.dataKey(tenantId), aadFor(tenantId, table, column, rowId), value);
}

export async function openField(keyring: Keyring, tenantId: string, table: string, column: string, rowId: string, value: string): Promise<string> {
  return keyring.open(tenantId, aadFor(tenantId, table, column, rowId), value);
}

/** Seals a nullable value of a row with a known DEK (synchronous; null stays null). */
export function sealNullable(dk: DataKey, tenantId: string, table: string, column: string, rowId: string, value: string | null): string | null {
  return value === null ? null : sealWith(dk, aadFor(tenantId, table, column, rowId), value);
}

/**
 * Opens a nullable sealed value; null when it cannot be opened (its key was destroyed by retention,
 * or the value was tampered with), so a panel or an export shows nothing rather than garbage.
 */
export async function openNullable(keyring: Keyring, tenantId: string, table: string, column: string, rowId: string, value: string | null): Promise<string | null> {
  if (value === null) return null;
  return keyring.open(tenantId, aadFor(tenantId, table, column, rowId), value).catch(() => null);
}

/** The bytes of an attachment file as written to disk: sealed under the tenant's DEK, bound to its row. */
export function sealAttachmentFile(dk: DataKey, tenantId: string, attachmentId: string, bytes: Buffer): Buffer {
  return sealBytesWith(dk, aadFor(tenantId, 'attachments', 'file', attachmentId), bytes);
}

export async function openAttachmentFile(keyring: Keyring, tenantId: string, attachmentId: string, sealed: Buffer): Promise<Buffer> {
  return keyring.openBytes(tenantId, aadFor(tenantId, 'attachments', 'file', attachmentId), sealed);
}
