/**
 * "Leave a message": outside business hours or with nobody online, the visitor's message becomes a
 * conversation (channel "offline", already in its team's queue) and an email to the team.
 */
import type { OfflineMessageBody } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { newId } from '../security/ids.js';
import { findTenantByWidgetKey } from '../queries/tenantQueries.js';
import { defaultTeam } from '../queries/contactSettingsQueries.js';
import { conversationView, latestConversationId } from '../queries/conversationQueries.js';
import { startVisitorSession } from './visitorSessionStarter.js';
import { createMessage } from './messageCreator.js';
import { redact } from '../../protocol/redaction.js';
import { tenantPatterns } from '../security/redactionPatterns.js';
import { redactString } from '../security/sinkRedaction.js';
import { tenantText } from '../i18n/serverText.js';
import { recordMailed } from '../security/mailer.js';

export async function takeOfflineMessage(
  ctx: Ctx,
  body: OfflineMessageBody,
  opts: { token?: string; userAgent: string | null; page?: string },
): Promise<{ token: string; conversationId: string; emailed: boolean }> {
  const db = ctx.storage.db;
  const tenant = await findTenantByWidgetKey(db, body.key);
  if (!tenant) throw new AppError('not_found', 'widget key not found');
  // Every field the visitor typed, redacted before it is stored or emailed (the email repeats them,
  // so it says what was stored: the body as createMessage stores it, tenant patterns included).
  const form = { name: redactString(body.name.trim()), email: redactString(body.email.trim()), body: redact(body.body.trim(), await tenantPatterns(ctx.storage, tenant.id)).text };
  const session = await startVisitorSession(ctx, { key: body.key, token: opts.token, name: form.name, email: form.email, ...(opts.page ? { page: opts.page } : {}) }, opts.userAgent);
  const team = await defaultTeam(db, tenant.id);
  const now = Date.now();
  let conversationId = await latestConversationId(db, tenant.id, session.visitorId, { openOnly: true });
  const created = !conversationId;
  if (!conversationId) {
    // Created here, already queued and marked offline, so the bot never takes it.
    conversationId = newId('conv');
    await db
      .insertInto('conversations')
      .values({ id: conversationId, tenant_id: tenant.id, visitor_id: session.visitorId, status: 'open', assignee_id: null, created_at: now, updated_at: now, resolved_at: null, channel: 'offline', queued_at: now, team_id: team?.id ?? null })
      .execute();
  }
  await createMessage(ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: session.visitorId }, { clientId: newId('offline'), conversationId, body: form.body });
  await ctx.bus.publish({ type: 'conversation.updated', tenantId: tenant.id, conversation: await conversationView(ctx, tenant.id, conversationId), created });

  let to: string[] = [];
  if (team?.notify_email) to = [team.notify_email];
  else if (team) {
    const members = await db.selectFrom('team_members as m').innerJoin('agents as a', 'a.id', 'm.agent_id').select('a.email').where('m.team_id', '=', team.id).where('a.tenant_id', '=', tenant.id).where('a.disabled_at', 'is', null).execute();
    to = members.map((m) => m.email);
  }
  if (to.length === 0) {
    const admins = await db.selectFrom('agents').select('email').where('tenant_id', '=', tenant.id).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
    to = admins.map((a) => a.email);
  }
  const words = await tenantText(db, tenant.id);
  // The visitor's name, email and message go to the team's inbox: an exposure of that conversation
  // to those addresses, recorded before the mail leaves (none sent without it: security/mailer.ts).
  // The message is stored and queued either way; only the notice is lost, and `emailed` says so.
  const emailed = await ctx.mailer.send(
    {
      to,
      subject: words.offlineSubject(tenant.name, form.name || form.email),
      text: [words.offlineIntro(form.name || words.aVisitor, form.email, team?.name ?? null), '', form.body, '', words.answerInConsole(`${ctx.env.publicUrl}/console/#c=${conversationId}`)].join('\n'),
    },
    recordMailed(ctx, tenant.id, 'offline-message', [{ tenantId: tenant.id, resourceType: 'conversation', resourceId: conversationId, conversationId, visitorId: session.visitorId }]),
  );
  return { token: session.token, conversationId, emailed };
}
