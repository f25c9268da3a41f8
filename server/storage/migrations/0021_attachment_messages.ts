import type { Kysely } from 'kysely';

/**
 * Attachments on messages (issue 5): the message carries the attachment's metadata (JSON: id,
 * name, type, size, url), and each attachment has a random access key that forms its URL, so the
 * visitor's frame can show an image preview without cookies or tokens in the URL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('attachment', 'text').execute();
  await db.schema.alterTable('attachments').addColumn('access_key', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attachments').dropColumn('access_key').execute();
  await db.schema.alterTable('messages').dropColumn('attachment').execute();
}
