/** Emails the visitor the transcript of their conversation (public messages only, never private notes). */
import type { TranscriptBody } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { assertVisitorMaySee } from '../queries/contactQueries.js';
import { conversationView } from '../queries/conversationQueries.js';
import { messagesAfter } from '../queries/messageQueries.js';
import { visitorText } from '../i18n/serverText.js';
import { recordAccess } from '../security/accessAudit.js';

export async function sendTranscript(ctx: Ctx, visitor: { tenantId: string; visitorId: string; address?: string | null }, body: TranscriptBody): Promise<{ to: string }> {
  const db = ctx.storage.db;
  const conv = assertSameTenant(visitor, await db.selectFrom('conversations').select(['id', 'tenant_id', 'visitor_id']).where('id', '=', body.conversationId).executeTakeFirst(), 'conversation');
  // Theirs, or of another browser of the same verified shopper (issue 20): the rule of reading and writing.
  await assertVisitorMaySee(ctx, visitor, conv.id);
  const view = await conversationView(ctx, visitor.tenantId, conv.id);
  const to = body.email ?? view.visitor.email;
  if (!to) throw new AppError('validation_failed', 'give an email address to send the transcript to');
  // Another browser of the verified shopper sending this one's conversation away is an exposure of
  // it to that browser (as reading it on the socket is: realtime/visitorConnection.ts), recorded
  // before anything is sent. Its own conversation is not: see docs/SECURITY.md, *Access audit*.
  if (conv.visitor_id !== visitor.visitorId) {
    await recordAccess(ctx, { kind: 'visitor', tenantId: visitor.tenantId, visitorId: visitor.visitorId, address: visitor.address ?? null }, 'conversation.transcript', [
      { tenantId: visitor.tenantId, resourceType: 'conversation', resourceId: conv.id, conversationId: conv.id, visitorId: conv.visitor_id },
    ]);
  }
  const tenant = await db.selectFrom('tenants').select(['name']).where('id', '=', visitor.tenantId).executeTakeFirstOrThrow();
  const words = await visitorText(db, visitor.tenantId, visitor.visitorId);
  const lines: string[] = [];
  let after = 0;
  for (;;) {
    const page = await messagesAfter(ctx, visitor.tenantId, conv.id, after, { includeInternal: false });
    for (const m of page.items) {
      const who = m.author.kind === 'visitor' ? words.you : m.author.name;
      lines.push(`[${m.createdAt.slice(0, 16).replace('T', ' ')} UTC] ${who}:`, m.body, '');
    }
    const last = page.items[page.items.length - 1];
    if (!page.more || !last) break;
    after = last.seq;
  }
  const sent = await ctx.mailer.send({
    to: [to],
    subject: words.transcriptSubject(tenant.name),
    text: [words.transcriptIntro(tenant.name), '', ...lines].join('\n'),
  });
  if (!sent) throw new AppError('unavailable', 'the transcript could not be emailed right now');
  return { to };
}
