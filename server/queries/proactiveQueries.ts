/** Proactive messages: the tenant's rules as views, and shown / opened / replied per rule (JSON and CSV). */
import type { ProactiveReport, ProactiveRuleView } from '../../protocol/proactive.js';
import { AppError } from '../errors.js';
import type { Db } from '../storage/db.js';
import type { ProactiveRuleTable } from '../storage/proactiveSchema.js';
import '../storage/proactiveSchema.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function proactiveRuleViewOf(r: ProactiveRuleTable): ProactiveRuleView {
  return {
    id: r.id,
    name: r.name,
    message: r.message,
    page: r.page,
    minSeconds: r.min_seconds,
    attribute: r.attribute,
    value: r.value,
    verifiedOnly: r.verified_only === 1,
    audience: r.audience,
    cooldownHours: r.cooldown_hours,
    enabled: r.enabled === 1,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** The tenant's rules, in the order they are tried (oldest first). */
export async function proactiveRuleRows(db: Db, tenantId: string): Promise<ProactiveRuleTable[]> {
  return db.selectFrom('proactive_rules').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

export async function proactiveRuleViews(db: Db, tenantId: string): Promise<ProactiveRuleView[]> {
  return (await proactiveRuleRows(db, tenantId)).map(proactiveRuleViewOf);
}

export async function proactiveRuleView(db: Db, tenantId: string, id: string): Promise<ProactiveRuleView> {
  const row = await db.selectFrom('proactive_rules').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'proactive rule not found');
  return proactiveRuleViewOf(row);
}

/** Messages shown in [from, to) per rule, and how many of them were opened and replied to. */
export async function proactiveReport(db: Db, tenantId: string, from: number, to: number): Promise<ProactiveReport> {
  const rows = await db
    .selectFrom('proactive_deliveries as d')
    .innerJoin('proactive_rules as r', 'r.id', 'd.rule_id')
    .where('d.tenant_id', '=', tenantId)
    .where('r.tenant_id', '=', tenantId)
    .where('d.shown_at', '>=', from)
    .where('d.shown_at', '<', to)
    .select((eb) => [
      'r.id as id',
      'r.name as name',
      eb.fn.countAll<number>().as('shown'),
      eb.fn.count<number>('d.opened_at').as('opened'),
      eb.fn.count<number>('d.replied_at').as('replied'),
    ])
    .groupBy(['r.id', 'r.name'])
    .orderBy('r.name')
    .execute();
  return {
    from: iso(from),
    to: iso(to),
    rows: rows.map((r) => ({ rule: { id: r.id, name: r.name }, shown: Number(r.shown), opened: Number(r.opened), replied: Number(r.replied) })),
  };
}

/** A field as CSV: quoted when needed, never starting with a formula character (CSV injection). */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function proactiveReportCsv(report: ProactiveReport): string {
  const lines: unknown[][] = [['rule_id', 'rule', 'shown', 'opened', 'replied']];
  for (const r of report.rows) lines.push([r.rule.id, r.rule.name, r.shown, r.opened, r.replied]);
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The proactive messages shown to one visitor (rows its session is known on), oldest first: for the GDPR export. */
export async function proactiveMessagesOf(db: Db, tenantId: string, visitorId: string) {
  const rows = await db
    .selectFrom('proactive_deliveries as d')
    .innerJoin('proactive_rules as r', 'r.id', 'd.rule_id')
    .select(['d.id', 'd.shown_at', 'd.opened_at', 'd.replied_at', 'r.id as rule_id', 'r.name', 'r.page'])
    .where('d.tenant_id', '=', tenantId)
    .where('r.tenant_id', '=', tenantId)
    .where('d.visitor_id', '=', visitorId)
    .orderBy('d.shown_at')
    .orderBy('d.id')
    .execute();
  return rows.map((d) => ({
    id: d.id,
    rule: { id: d.rule_id, name: d.name, page: d.page },
    shownAt: iso(Number(d.shown_at)),
    openedAt: d.opened_at === null ? null : iso(Number(d.opened_at)),
    repliedAt: d.replied_at === null ? null : iso(Number(d.replied_at)),
  }));
}
