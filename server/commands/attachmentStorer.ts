/**
 * Attachments: a file is checked by its content (type by magic bytes, size limit, no card data:
 * images stripped of text metadata, PDFs holding a card number refused), written under
 * DATA_DIR/attachments/<tenant>/ (outside anything served as static files), and sent as a message
 * carrying its metadata. It is served only by routes/attachments with headers that stop it from
 * ever running as a page.
 *
 * At rest, the file's bytes are sealed under the tenant's data key (AES-256-GCM, AAD
 * `<tenant>|attachments.file|<id>`) after the type is sniffed from the plaintext, and its name is a
 * sealed field (security/sealedFields.ts): when the key is destroyed (retention, tenant deletion) a
 * copy of the file is unreadable. Retention, tenant deletion and GDPR erasure also delete the files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MessageView } from '../../protocol/records.js';
import type { Actor, Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { attachmentPath } from '../storage/attachmentFiles.js';
import { cleanFileName, sniffFile } from '../security/fileSniffer.js';
import { newId, randomToken } from '../security/ids.js';
import { sealAttachmentFile, sealNullable } from '../security/sealedFields.js';
import { createMessage } from './messageCreator.js';
import { assertVisitorMaySee } from '../queries/contactQueries.js';
import { redactString } from '../security/sinkRedaction.js';
import { withoutCardData } from '../security/fileCardCheck.js';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;


export async function storeAttachment(
  ctx: Ctx,
  actor: Extract<Actor, { kind: 'agent' } | { kind: 'visitor' }>,
  input: { conversationId?: string; fileName: string; bytes: Buffer; clientId: string },
): Promise<MessageView> {
  if (input.bytes.length === 0) throw new AppError('validation_failed', 'the file is empty');
  if (input.bytes.length > MAX_ATTACHMENT_BYTES) throw new AppError('payload_too_large', `files can be at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
  const sniffed = sniffFile(input.bytes);
  if (!sniffed) throw new AppError('validation_failed', 'only PNG, JPEG, GIF, WebP images and PDF documents can be sent');
  // No card number is stored inside a file either (security/fileCardCheck.ts): images lose their
  // text metadata, a PDF that holds a card number in its text or metadata is refused.
  const bytes = withoutCardData(sniffed.type, input.bytes);
  const db = ctx.storage.db;
  // The conversation the agent names; the one the visitor names — theirs, or of another browser of the
  // same verified shopper (issue 20), the rule of reading and writing — or else their latest one.
  // createMessage checks it again.
  let conversationId = input.conversationId;
  if (actor.kind === 'visitor' && conversationId) await assertVisitorMaySee(ctx, actor, conversationId);
  else if (actor.kind === 'visitor') {
    const latest = await db.selectFrom('conversations').select(['id']).where('tenant_id', '=', actor.tenantId).where('visitor_id', '=', actor.visitorId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (!latest) throw new AppError('validation_failed', 'write a message before sending a file');
    conversationId = latest.id;
  }
  if (!conversationId) throw new AppError('validation_failed', 'conversationId is required');
  const conv = await db.selectFrom('conversations').select(['id', 'status']).where('tenant_id', '=', actor.tenantId).where('id', '=', conversationId).executeTakeFirst();
  if (!conv) throw new AppError('not_found', 'conversation not found');
  if (conv.status !== 'open' && actor.kind === 'agent') throw new AppError('conversation_closed', 'conversation is resolved; reopen it to reply');

  const id = newId('att');
  const key = randomToken(18);
  // The file name is typed text: redacted (it is stored, shown, and sent in Content-Disposition).
  // Again after cleaning: characters it removes (quotes, semicolons, control characters) may have
  // stood between a card's digits.
  const name = redactString(cleanFileName(redactString(input.fileName), sniffed.ext));
  const file = attachmentPath(ctx.env.dataDir, actor.tenantId, id);
  await mkdir(join(ctx.env.dataDir, 'attachments', actor.tenantId), { recursive: true, mode: 0o700 });
  const dk = await ctx.keyring.dataKey(actor.tenantId);
  await writeFile(file, sealAttachmentFile(dk, actor.tenantId, id, bytes), { mode: 0o600 });
  await db
    .insertInto('attachments')
    .values({
      id,
      tenant_id: actor.tenantId,
      conversation_id: conv.id,
      uploader_kind: actor.kind,
      uploader_id: actor.kind === 'agent' ? actor.agent.id : actor.visitorId,
      filename: sealNullable(dk, actor.tenantId, 'attachments', 'filename', id, name)!,
      content_type: sniffed.type,
      size: bytes.length,
      created_at: Date.now(),
      access_key: key,
      key_version: dk.version,
    })
    .execute();
  const attachment = { id, name, type: sniffed.type, size: bytes.length, url: `/files/${id}/${key}` };
  const { message } = await createMessage(ctx, actor, { clientId: input.clientId, conversationId: conv.id, body: name, attachment });
  return message;
}
