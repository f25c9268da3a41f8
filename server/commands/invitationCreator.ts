import type { InvitationCreateBody, InvitationCreated } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { hashToken } from '../security/apiKeys.js';
import { newId, randomToken } from '../security/ids.js';
import { presentInvitation } from '../presenters/adminPresenters.js';
import type { Db } from '../storage/db.js';
import type { Agent, Invitation } from '../storage/schema.js';
import { tenantText } from '../i18n/serverText.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The accept page of the console; the token rides in the fragment so it never reaches a server log. */
export const invitationUrl = (publicUrl: string, token: string) => `${publicUrl}/console/#invite=${token}`;

/**
 * Invites an address to the tenant with a role. The link holds a one-time token (stored hashed),
 * valid for 7 days. `inviter` is null when the platform operator invites a new tenant's first admin.
 */
export async function createInvitation(
  ctx: Ctx,
  tenantId: string,
  inviter: Agent | null,
  input: InvitationCreateBody,
  actor: AuditActor,
  db: Db = ctx.storage.db,
): Promise<InvitationCreated> {
  const email = input.email.trim().toLowerCase();
  const taken = await db.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirst();
  // Emails are unique across the installation (they are the login name).
  if (taken) throw new AppError('conflict', 'an agent with this email already exists');
  const token = randomToken(32);
  const now = Date.now();
  const row: Invitation = {
    id: newId('inv'),
    tenant_id: tenantId,
    email,
    role: input.role,
    token_hash: hashToken(token),
    invited_by: inviter?.id ?? null,
    created_at: now,
    expires_at: now + INVITATION_TTL_MS,
    accepted_at: null,
    revoked_at: null,
  };
  const run = async (trx: Db) => {
    // A new invitation for the same address replaces any pending one.
    await trx.updateTable('invitations').set({ revoked_at: now }).where('tenant_id', '=', tenantId).where('email', '=', email).where('accepted_at', 'is', null).where('revoked_at', 'is', null).execute();
    await trx.insertInto('invitations').values(row).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'invitation.created', resourceType: 'invitation', resourceId: row.id, details: { email, role: row.role } }]);
  };
  const url = invitationUrl(ctx.env.publicUrl, token);
  if (db.isTransaction) {
    // Inside the caller's transaction (a new tenant's first admin): nothing is mailed before it
    // commits; the operator hands the link over.
    await run(db);
    return { invitation: presentInvitation(row, inviter), url, token, emailed: false };
  }
  await db.transaction().execute(run);
  // Committed: the link also goes to the address, in the tenant's language. The admin still sees it once.
  const tenant = await db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const words = await tenantText(db, tenantId);
  const expires = new Date(row.expires_at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const emailed = await ctx.mailer.send({ to: [email], subject: words.invitationSubject(tenant.name), text: words.invitationBody(tenant.name, row.role, url, expires) });
  return { invitation: presentInvitation(row, inviter), url, token, emailed };
}
