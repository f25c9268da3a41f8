import type { InvitationAcceptBody, InvitationInfo } from '../../protocol/admin.js';
import type { AgentView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit } from '../security/auditLog.js';
import { hashToken } from '../security/apiKeys.js';
import { presentAgent } from '../presenters/presenters.js';
import type { Db } from '../storage/db.js';
import type { Invitation } from '../storage/schema.js';
import { createAgent } from './agentCreator.js';

async function pendingInvitation(db: Db, token: string): Promise<Invitation> {
  const inv = await db.selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  // One answer for unknown, used, revoked and expired links: the token is the only secret.
  if (!inv || inv.accepted_at !== null || inv.revoked_at !== null || inv.expires_at <= Date.now()) {
    throw new AppError('not_found', 'this invitation link is not valid any more; ask your admin for a new one');
  }
  return inv;
}

export async function invitationInfo(ctx: Ctx, token: string): Promise<InvitationInfo> {
  const inv = await pendingInvitation(ctx.storage.db, token);
  const tenant = await ctx.storage.db.selectFrom('tenants').select('name').where('id', '=', inv.tenant_id).executeTakeFirstOrThrow();
  return { email: inv.email, role: inv.role, tenantName: tenant.name, expiresAt: new Date(inv.expires_at).toISOString() };
}

/** Creates the agent with the invitation's email and role; the token works once. */
export async function acceptInvitation(ctx: Ctx, body: InvitationAcceptBody, address: string): Promise<AgentView> {
  const db = ctx.storage.db;
  const inv = await pendingInvitation(db, body.token);
  const claimed = await db.updateTable('invitations').set({ accepted_at: Date.now() }).where('id', '=', inv.id).where('accepted_at', 'is', null).executeTakeFirst();
  if (claimed.numUpdatedRows !== 1n) throw new AppError('not_found', 'this invitation link is not valid any more');
  try {
    const agent = await createAgent(db, { tenantId: inv.tenant_id, email: inv.email, name: body.name.trim(), role: inv.role, password: body.password });
    await appendAudit(db, { kind: 'agent', id: agent.id, credential: `invitation:${inv.id}`, address }, [
      { tenantId: inv.tenant_id, action: 'invitation.accepted', resourceType: 'agent', resourceId: agent.id, details: { invitationId: inv.id, role: inv.role } },
    ]);
    return presentAgent(agent);
  } catch (err) {
    await db.updateTable('invitations').set({ accepted_at: null }).where('id', '=', inv.id).execute();
    if (ctx.storage.isUniqueViolation(err)) throw new AppError('conflict', 'an agent with this email already exists');
    throw err;
  }
}
