import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { withStorage } from '../withStorage.js';
import { appendAudit } from '../../security/auditLog.js';

export const operatorGrant: Command = {
  name: 'operator:grant',
  summary: 'Make an agent a platform operator (tenants list/create), or --revoke',
  help: `Usage: parley operator:grant --email EMAIL [--revoke]

Platform operators see Admin → Tenants in the console and may list every tenant and create new
ones (POST /api/operator/tenants). Use an agent of a tenant reserved for the platform team.
Recorded in the audit log with the credential cli:operator:grant.`,
  async run(args) {
    const email = requireOption(args, 'email').toLowerCase();
    const revoke = args.options.revoke === true;
    await withStorage(async (s) => {
      const agent = await s.db.selectFrom('agents').select(['id', 'tenant_id']).where('email', '=', email).executeTakeFirst();
      if (!agent) throw new UsageError(`no agent ${email}`);
      await s.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('platform_operators').where('agent_id', '=', agent.id).execute();
        if (!revoke) await trx.insertInto('platform_operators').values({ agent_id: agent.id, created_at: Date.now() }).execute();
        await appendAudit(trx, { kind: 'system', id: null, credential: 'cli:operator:grant', address: null }, [
          { tenantId: agent.tenant_id, action: revoke ? 'operator.revoked' : 'operator.granted', resourceType: 'agent', resourceId: agent.id },
        ]);
      });
    });
    console.log(`${email} is ${revoke ? 'no longer' : 'now'} a platform operator`);
    return 0;
  },
};
