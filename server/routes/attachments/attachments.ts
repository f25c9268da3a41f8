/**
 * Upload and download of attachments. Uploads are raw bodies (application/octet-stream, file name in
 * `?name=`), up to 5 MB; agents use their session (+CSRF), visitors their Bearer token. A visitor's
 * file goes to the conversation named in `?conversationId=` (theirs, or their verified contact's), or
 * else to their latest. Downloads are served from /files/<id>/<key>, a path outside the apps, with
 * nosniff, a sandboxing CSP and Content-Disposition (inline only for images shown as images or on
 * Parley's own pages; a download otherwise), whatever the file claims to be.
 * Files and their names are sealed at rest (commands/attachmentStorer.ts) and opened here to serve.
 * Every download is in the access audit before its bytes leave: by the agent whose session cookie
 * came with it (the console), or else by `link:<attachment id>` from its address (the visitor's
 * widget, or anyone the link reached), so an exposure report finds it either way.
 */
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { AppError } from '../../errors.js';
import { MAX_ATTACHMENT_BYTES, storeAttachment } from '../../commands/attachmentStorer.js';
import { attachmentPath } from '../../storage/attachmentFiles.js';
import { newId } from '../../security/ids.js';
import { KeyUnavailableError } from '../../security/keyring.js';
import { openAttachmentFile, openField } from '../../security/sealedFields.js';
import { requireAuth } from '../auth/requireAuth.js';
import { SESSION_COOKIE } from '../auth/sessionCookie.js';
import { visitorFromRequest } from '../widget/visitorActions.js';
import { agentAccessor, recordAccess, type Accessor } from '../../security/accessAudit.js';

const UploadQuery = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), conversationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
const FileParams = Type.Object({ id: Type.String({ pattern: '^att_[A-Za-z0-9]{1,60}$' }), key: Type.String({ minLength: 10, maxLength: 64 }) });

export async function attachmentRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): Promise<void> {
  await app.register(async (scoped) => {
    // Raw file bodies, only on these routes.
    scoped.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) => done(null, body));
    const opts = { bodyLimit: MAX_ATTACHMENT_BYTES, schema: { querystring: UploadQuery } };
    type Q = { name: string; conversationId?: string };
    const bytesOf = (body: unknown) => {
      if (!Buffer.isBuffer(body)) throw new AppError('bad_request', 'send the file as application/octet-stream');
      return body;
    };

    scoped.post('/api/attachments', { ...opts, preHandler: requireAuth(ctx, sessions, 'conversations:write') }, async (req, reply) => {
      const q = req.query as Q;
      const message = await storeAttachment(ctx, { kind: 'agent', tenantId: req.agent.tenant_id, agent: req.agent }, { conversationId: q.conversationId, fileName: q.name, bytes: bytesOf(req.body), clientId: newId('file') });
      return reply.code(201).send(message);
    });

    scoped.post('/api/widget/attachments', opts, async (req, reply) => {
      const visitor = visitorFromRequest(ctx, req);
      const q = req.query as Q;
      const message = await storeAttachment(ctx, { kind: 'visitor', ...visitor }, { conversationId: q.conversationId, fileName: q.name, bytes: bytesOf(req.body), clientId: newId('file') });
      return reply.code(201).send(message);
    });
  });

  app.get('/files/:id/:key', { schema: { params: FileParams } }, async (req, reply) => {
    const { id, key } = req.params as { id: string; key: string };
    // With its conversation's visitor, for the audit entry.
    const row = await ctx.storage.db
      .selectFrom('attachments')
      .leftJoin('conversations', (j) => j.onRef('conversations.id', '=', 'attachments.conversation_id').onRef('conversations.tenant_id', '=', 'attachments.tenant_id'))
      .selectAll('attachments')
      .select('conversations.visitor_id')
      .where('attachments.id', '=', id)
      .executeTakeFirst();
    const a = Buffer.from(row?.access_key ?? '');
    const b = Buffer.from(key);
    if (!row || a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('not_found', 'file not found');
    const sealed = await readFile(attachmentPath(ctx.env.dataDir, row.tenant_id, row.id)).catch(() => null);
    if (!sealed) throw new AppError('not_found', 'file not found');
    // A file whose key was destroyed (retention) is gone as far as anyone can tell; a tampered one is refused.
    const gone = (err: unknown) => {
      if (err instanceof KeyUnavailableError) throw new AppError('not_found', 'file not found');
      throw err;
    };
    const bytes = await openAttachmentFile(ctx.keyring, row.tenant_id, row.id, sealed).catch(gone);
    const filename = await openField(ctx.keyring, row.tenant_id, 'attachments', 'filename', row.id, row.filename).catch(gone);
    const signedIn = await sessions.resolve(req.cookies[SESSION_COOKIE]).catch(() => null);
    const who: Accessor =
      signedIn && signedIn.agent.tenant_id === row.tenant_id ? agentAccessor(signedIn.agent, signedIn.session, req.ip) : { kind: 'link', attachmentId: row.id, address: req.ip };
    await recordAccess(ctx, who, 'attachment.read', [
      { tenantId: row.tenant_id, resourceType: 'attachment', resourceId: row.id, conversationId: row.conversation_id, visitorId: row.visitor_id, details: { bytes: bytes.length } },
    ]);
    // An image is shown inline only where it is shown as an image: an <img> (Sec-Fetch-Dest: image),
    // Parley's own pages (the console's preview tab: same-origin), or a browser without Fetch Metadata.
    // A navigation from another site (the widget's loader opens attachments from the host page) gets a
    // download: the tab it opened renders nothing.
    const dest = req.headers['sec-fetch-dest'];
    const site = req.headers['sec-fetch-site'];
    const image = row.content_type.startsWith('image/') && (dest === undefined || dest === 'image' || site === 'same-origin');
    return reply
      .header('content-type', row.content_type)
      .header('content-disposition', `${image ? 'inline' : 'attachment'}; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
      .header('cross-origin-resource-policy', 'same-origin')
      .header('cache-control', 'private, max-age=3600')
      .header('referrer-policy', 'no-referrer')
      .send(bytes);
  });
}
