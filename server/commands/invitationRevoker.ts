import type { InvitationView } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentInvitation } from '../presenters/adminPresenters.js';

export async function revokeInvitation(ctx: Ctx, tenantId: string, id: string, actor: AuditActor): Promise<InvitationView> {
  const db = ctx.storage.db;
  const inv = assertSameTenant({ tenantId }, await db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst(), 'invitation');
  if (inv.accepted_at !== null) throw new AppError('conflict', 'invitation was already accepted');
  const now = Date.now();
  if (inv.revoked_at === null) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('invitations').set({ revoked_at: now }).where('id', '=', inv.id).where('tenant_id', '=', tenantId).execute();
      await appendAudit(trx, actor, [{ tenantId, action: 'invitation.revoked', resourceType: 'invitation', resourceId: inv.id }]);
    });
  }
  const inviter = inv.invited_by ? await db.selectFrom('agents').select(['id', 'name']).where('id', '=', inv.invited_by).where('tenant_id', '=', tenantId).executeTakeFirst() : undefined;
  return presentInvitation({ ...inv, revoked_at: inv.revoked_at ?? now }, inviter ?? null);
}
