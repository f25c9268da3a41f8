/** Two-factor state of an agent, and the tenant's rule. One query, on every authenticated request. */
import type { Db } from '../storage/db.js';
import type { Agent } from '../storage/schema.js';

export interface TotpState {
  enabled: boolean;
  /** The tenant requires two-factor and the agent has not enrolled. */
  enrolmentRequired: boolean;
  tenantRequires: boolean;
}

export async function totpState(db: Db, agent: Pick<Agent, 'id' | 'tenant_id'>): Promise<TotpState> {
  const row = await db
    .selectFrom('tenants')
    .leftJoin('tenant_settings', 'tenant_settings.tenant_id', 'tenants.id')
    .leftJoin('agent_totp', (j) => j.onRef('agent_totp.tenant_id', '=', 'tenants.id').on('agent_totp.agent_id', '=', agent.id))
    .select(['tenant_settings.require_totp as require_totp', 'agent_totp.enabled_at as enabled_at'])
    .where('tenants.id', '=', agent.tenant_id)
    .executeTakeFirst();
  const enabled = row?.enabled_at != null;
  const tenantRequires = Number(row?.require_totp ?? 0) === 1;
  return { enabled, tenantRequires, enrolmentRequired: tenantRequires && !enabled };
}
