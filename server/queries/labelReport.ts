/** Analytics by label (issue 20): conversations started in the period, per label of the tenant. */
import { sql } from 'kysely';
import type { LabelReport } from '../../protocol/productivity.js';
import type { Db } from '../storage/db.js';
import type { Period } from './reportQueries.js';
import '../storage/productivitySchema.js';

export async function labelReport(db: Db, tenantId: string, period: Period): Promise<LabelReport> {
  const labels = await db.selectFrom('labels').select(['id', 'name']).where('tenant_id', '=', tenantId).orderBy('name_key').execute();
  const counts = await db
    .selectFrom('conversation_labels as cl')
    .innerJoin('conversations as c', 'c.id', 'cl.conversation_id')
    .select(['cl.label_id'])
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(sql<number>`case when c.status = 'resolved' then 1 else 0 end`).as('resolved'),
    ])
    .where('cl.tenant_id', '=', tenantId)
    .where('c.tenant_id', '=', tenantId)
    .where('c.created_at', '>=', period.from)
    .where('c.created_at', '<', period.to)
    .groupBy('cl.label_id')
    .execute();
  const byLabel = new Map(counts.map((c) => [c.label_id, c]));
  return {
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    labels: labels.map((l) => {
      const c = byLabel.get(l.id);
      const total = Number(c?.total ?? 0);
      const resolved = Number(c?.resolved ?? 0);
      return { labelId: l.id, name: l.name, conversations: total, resolved, open: total - resolved };
    }),
  };
}

/** A field as CSV: quoted when needed, never starting with a formula character (CSV injection). */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function labelReportCsv(report: LabelReport): string {
  const lines: unknown[][] = [['label_id', 'label', 'conversations', 'resolved', 'open']];
  for (const r of report.labels) lines.push([r.labelId, r.name, r.conversations, r.resolved, r.open]);
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
