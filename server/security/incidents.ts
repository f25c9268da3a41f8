/**
 * Security incidents (a tampered release file, a new exfiltration destination in a tenant's CSP
 * reports, …). Raising one records it, appends it to the audit chain, tells connected agents at
 * once, queues the tenants' webhooks and emails the tenants' admins. The same fingerprint while
 * unresolved is one incident, so a condition that persists does not flood anybody.
 */
import type { IncidentView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Incident } from '../storage/schema.js';
import { presentIncident } from '../presenters/presenters.js';
import { enqueueWebhookEvent } from '../webhooks/webhookEvents.js';
import { appendAudit, SYSTEM_ACTOR } from './auditLog.js';
import { newId } from './ids.js';

export interface NewIncident {
  tenantId: string | null;
  kind: string;
  severity: Incident['severity'];
  summary: string;
  details: Record<string, unknown>;
  fingerprint: string;
}

export async function raiseIncident(ctx: Ctx, input: NewIncident): Promise<{ incident: IncidentView; created: boolean }> {
  const db = ctx.storage.db;
  const open = await db
    .selectFrom('incidents')
    .selectAll()
    .where('fingerprint', '=', input.fingerprint)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  if (open) return { incident: presentIncident(open), created: false };

  const row: Incident = {
    id: newId('inc'),
    tenant_id: input.tenantId,
    kind: input.kind,
    severity: input.severity,
    summary: input.summary,
    details: JSON.stringify(input.details),
    fingerprint: input.fingerprint,
    created_at: Date.now(),
    resolved_at: null,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('incidents').values(row).execute();
    await appendAudit(trx, SYSTEM_ACTOR('incidents'), [
      { tenantId: input.tenantId, action: 'incident.raised', resourceType: 'incident', resourceId: row.id, details: { kind: input.kind, summary: input.summary } },
    ]);
  });
  const incident = presentIncident(row);
  ctx.log.error({ incident: { id: row.id, kind: row.kind, summary: row.summary } }, 'security incident raised');
  await ctx.bus.publish({ type: 'incident.raised', tenantId: input.tenantId, incident });

  const tenants = input.tenantId
    ? [input.tenantId]
    : (await db.selectFrom('tenants').select('id').execute()).map((t) => t.id);
  for (const tenantId of tenants) {
    await enqueueWebhookEvent(db, tenantId, 'security.incident', incident);
    const admins = await db.selectFrom('agents').select('email').where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
    await ctx.mailer.send({
      to: admins.map((a) => a.email),
      subject: `[Parley security] ${input.summary}`,
      text: `${input.summary}\n\nSeverity: ${input.severity}\nIncident: ${row.id}\nRaised: ${new Date(row.created_at).toISOString()}\n\nDetails:\n${JSON.stringify(input.details, null, 2)}\n`,
    });
  }
  return { incident, created: true };
}
