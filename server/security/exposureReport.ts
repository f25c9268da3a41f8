/**
 * Exposure report: given an actor (agent id), a credential, an address and/or a time window, lists
 * exactly which visitors and conversations of which tenants that access touched, from the audit
 * chain. The visitors' names and emails (and, from the contact centre, the tenant's user id for the
 * visitor, and each conversation's rating and attachments) are opened so the report is ready to
 * notify; it is itself
 * an access to visitor data and is audited. Optionally notifies each affected tenant by webhook
 * (`security.exposure_report`, payload sealed at rest) and by email to its admins.
 */
import { recordMailed } from './mailer.js';
import type { PageContextView } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { enqueueWebhookEvent } from '../webhooks/webhookEvents.js';
import { recordAccess, type Accessor, type Exposure } from './accessAudit.js';
import { openVisitors } from './sealedFields.js';
import { contactDataOf, type StoredAttachment, type StoredRating } from '../queries/visitorContextQueries.js';
import { publishedAuditCheckpoint } from './auditTlog.js';

export interface ExposureCriteria {
  actorId?: string;
  /** Exact credential, `session:<hex>` (a full session id is cut to the recorded 16-hex prefix), or a prefix ending in `*`. */
  credential?: string;
  address?: string;
  from?: number;
  to?: number;
  /** Restricts to one tenant (tenant admins see only their own). */
  tenantId?: string;
}

export interface ExposedConversation {
  conversationId: string | null;
  firstAccess: string;
  lastAccess: string;
  accesses: number;
  actions: string[];
  actors: string[];
  credentials: string[];
  addresses: string[];
  /** The conversation's satisfaction rating and attachments (opened), as stored now. */
  rating: StoredRating | null;
  attachments: StoredAttachment[];
}

export interface ExposedVisitor {
  visitorId: string | null;
  /** Null when the visitor was erased or expired since (their data is gone). */
  name: string | null;
  email: string | null;
  /** The user id the tenant's page claimed for the visitor (visitor context), and whether it was verified. */
  userId: string | null;
  identityVerified: boolean;
  pagesSeen: Array<{ url: string; at: string }>;
  /** What the tenant's page said about itself (page name, attributes, verified or not). */
  pageContext: PageContextView | null;
  erased: boolean;
  conversations: ExposedConversation[];
}

export interface ExposureReport {
  generatedAt: string;
  criteria: Record<string, string>;
  totals: { tenants: number; visitors: number; conversations: number; accesses: number };
  tenants: Array<{ tenantId: string; slug: string | null; name: string | null; visitors: ExposedVisitor[] }>;
  /**
   * The access audit log's latest signed checkpoint when the report was made (kept outside the
   * database): with it, `parley audit:verify --checkpoint` later proves that the entries this
   * report was built from were not rewritten since.
   */
  auditCheckpoint: { origin: string; verifierKey: string; checkpoint: string | null };
}

/**
 * Actions that are not an exposure of a visitor's data (the job deleting it, keys, the notice to the
 * tenant's own admins). An exposure report is one: it shows the visitors it lists to its reader.
 */
const NOT_EXPOSURE = new Set(['conversation.expire', 'visitor.expire', 'key.destroy', 'tenant.delete', 'exposure.notify', 'visitor.erase']);

export function parseTime(raw: string, name: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new AppError('validation_failed', `${name} must be an ISO date-time or epoch milliseconds`);
  return n;
}

function normaliseCredential(c: string): { exact?: string; prefix?: string } {
  if (c.endsWith('*')) return { prefix: c.slice(0, -1) };
  const m = /^session:([0-9a-f]{16})[0-9a-f]*$/i.exec(c);
  if (m) return { exact: `session:${m[1]!.toLowerCase()}` };
  return { exact: c };
}

export async function exposureReport(ctx: Pick<Ctx, 'storage' | 'keyring' | 'env'>, criteria: ExposureCriteria, who: Accessor): Promise<ExposureReport> {
  if (!criteria.actorId && !criteria.credential && !criteria.address && criteria.from === undefined && criteria.to === undefined) {
    throw new AppError('validation_failed', 'give at least one of actor, credential, address, from, to');
  }
  const db = ctx.storage.db;
  // tenant → visitor → conversation
  const byTenant = new Map<string, Map<string, Map<string, ExposedConversation & { first: number; last: number }>>>();
  let accesses = 0;
  let after = 0;
  for (;;) {
    let q = db.selectFrom('audit_log').selectAll().where('seq', '>', after).where('tenant_id', 'is not', null);
    q = q.where((eb) => eb.or([eb('conversation_id', 'is not', null), eb('visitor_id', 'is not', null)]));
    if (criteria.tenantId) q = q.where('tenant_id', '=', criteria.tenantId);
    if (criteria.actorId) q = q.where('actor_id', '=', criteria.actorId);
    if (criteria.address) q = q.where('address', '=', criteria.address);
    if (criteria.from !== undefined) q = q.where('at', '>=', criteria.from);
    if (criteria.to !== undefined) q = q.where('at', '<=', criteria.to);
    if (criteria.credential) {
      const c = normaliseCredential(criteria.credential);
      q = c.exact ? q.where('credential', '=', c.exact) : q.where('credential', 'like', `${c.prefix!.replace(/[%_\\]/g, '')}%`);
    }
    const page = await q.orderBy('seq').limit(5000).execute();
    if (page.length === 0) break;
    for (const e of page) {
      after = e.seq;
      if (NOT_EXPOSURE.has(e.action)) continue;
      accesses++;
      const tenant = byTenant.get(e.tenant_id!) ?? new Map();
      byTenant.set(e.tenant_id!, tenant);
      const vKey = e.visitor_id ?? '';
      const visitor = tenant.get(vKey) ?? new Map();
      tenant.set(vKey, visitor);
      const cKey = e.conversation_id ?? '';
      const conv = visitor.get(cKey) ?? { conversationId: e.conversation_id, first: e.at, last: e.at, firstAccess: '', lastAccess: '', accesses: 0, actions: [], actors: [], credentials: [], addresses: [], rating: null, attachments: [] };
      visitor.set(cKey, conv);
      conv.first = Math.min(conv.first, e.at);
      conv.last = Math.max(conv.last, e.at);
      conv.accesses++;
      const add = (list: string[], v: string | null) => {
        if (v && !list.includes(v)) list.push(v);
      };
      add(conv.actions, e.action);
      add(conv.actors, e.actor_id ? `${e.actor_kind}:${e.actor_id}` : e.actor_kind);
      add(conv.credentials, e.credential);
      add(conv.addresses, e.address);
    }
    if (page.length < 5000) break;
  }

  const report: ExposureReport = {
    generatedAt: new Date().toISOString(),
    criteria: Object.fromEntries(
      Object.entries({ ...criteria, from: criteria.from === undefined ? undefined : new Date(criteria.from).toISOString(), to: criteria.to === undefined ? undefined : new Date(criteria.to).toISOString() }).filter(([, v]) => v !== undefined) as Array<[string, string]>,
    ),
    totals: { tenants: 0, visitors: 0, conversations: 0, accesses },
    tenants: [],
    auditCheckpoint: publishedAuditCheckpoint(ctx.env),
  };
  for (const [tenantId, visitors] of byTenant) {
    const tenant = await db.selectFrom('tenants').select(['slug', 'name']).where('id', '=', tenantId).executeTakeFirst();
    const ids = [...visitors.keys()].filter(Boolean);
    const rows = ids.length ? await db.selectFrom('visitors').select(['id', 'tenant_id', 'name', 'email', 'current_page', 'user_agent']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute() : [];
    const opened = new Map((tenant ? await openVisitors(ctx.keyring, rows) : []).map((v) => [v.id, v]));
    const convIds = [...visitors.values()].flatMap((convs) => [...convs.keys()].filter(Boolean));
    const contact = tenant ? await contactDataOf(ctx, tenantId, ids, convIds) : null;
    const entry = { tenantId, slug: tenant?.slug ?? null, name: tenant?.name ?? null, visitors: [] as ExposedVisitor[] };
    for (const [visitorId, convs] of visitors) {
      const v = opened.get(visitorId);
      const seen = v ? contact?.contexts.get(visitorId) : undefined;
      entry.visitors.push({
        visitorId: visitorId || null,
        name: v?.name ?? null,
        email: v?.email ?? null,
        userId: seen?.userId ?? null,
        identityVerified: seen?.identityVerified ?? false,
        pagesSeen: seen?.pagesSeen ?? [],
        pageContext: seen?.pageContext ?? null,
        erased: !v,
        conversations: [...convs.values()].map(({ first, last, ...c }) => ({
          ...c,
          firstAccess: new Date(first).toISOString(),
          lastAccess: new Date(last).toISOString(),
          rating: (c.conversationId && contact?.ratings.get(c.conversationId)) || null,
          attachments: (c.conversationId && contact?.attachments.get(c.conversationId)) || [],
        })),
      });
      report.totals.conversations += [...convs.keys()].filter(Boolean).length;
    }
    report.totals.visitors += entry.visitors.filter((v) => v.visitorId).length;
    report.tenants.push(entry);
  }
  report.totals.tenants = report.tenants.length;
  // Producing the report opened visitors' names, emails, user ids, pages, ratings and attachment
  // names: that is an access too, to each of those visitors and conversations, so a later report
  // on the reader lists them like any other read (one summary entry per tenant says why).
  await recordAccess(
    ctx,
    who,
    'exposure.report',
    report.tenants.flatMap((t) => [
      { tenantId: t.tenantId, resourceType: 'exposure_report' as const, details: { criteria: report.criteria, visitors: t.visitors.length } },
      ...t.visitors
        .filter((v) => v.visitorId)
        .flatMap((v) => v.conversations.map((c) => ({ tenantId: t.tenantId, resourceType: 'exposure_report' as const, conversationId: c.conversationId, visitorId: v.visitorId }))),
    ]),
  );
  return report;
}

const CSV_COLUMNS = ['tenant_id', 'tenant_slug', 'tenant_name', 'visitor_id', 'visitor_name', 'visitor_email', 'visitor_erased', 'conversation_id', 'first_access', 'last_access', 'accesses', 'actions', 'actors', 'credentials', 'addresses', 'visitor_user_id', 'rating', 'attachments'];

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // A cell starting with = + - @ is a formula in spreadsheets: neutralise it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exposureCsv(report: ExposureReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of report.tenants)
    for (const v of t.visitors)
      for (const c of v.conversations)
        lines.push(
          [
            ...[t.tenantId, t.slug, t.name, v.visitorId, v.name, v.email, v.erased, c.conversationId, c.firstAccess, c.lastAccess, c.accesses],
            ...[c.actions.join(' '), c.actors.join(' '), c.credentials.join(' '), c.addresses.join(' ')],
            ...[v.userId, c.rating?.rating ?? null, (c.attachments ?? []).map((a) => a.name ?? a.id).join(' | ')],
          ]
            .map(csvCell)
            .join(','),
        );
  return lines.join('\r\n') + '\r\n';
}

/** Tells each affected tenant: a signed webhook with its part of the report, and an email to its admins. */
export async function notifyExposure(ctx: Pick<Ctx, 'storage' | 'keyring' | 'mailer'>, report: ExposureReport, who: Accessor): Promise<{ tenants: number; webhooks: number; emails: number }> {
  const db = ctx.storage.db;
  let webhooks = 0;
  let emails = 0;
  for (const t of report.tenants) {
    const part: ExposureReport = { ...report, tenants: [t], totals: { ...report.totals, tenants: 1, visitors: t.visitors.length, conversations: t.visitors.reduce((n, v) => n + v.conversations.length, 0) } };
    const dk = await ctx.keyring.dataKey(t.tenantId);
    webhooks += await enqueueWebhookEvent(db, t.tenantId, 'security.exposure_report', part, dk);
    const admins = await db.selectFrom('agents').select('email').where('tenant_id', '=', t.tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
    // The CSV names every visitor (name, email) and conversation of the part: recorded as read by
    // the admins' addresses before the mail leaves (none sent without it: security/mailer.ts).
    const carried = t.visitors.flatMap((v): Exposure[] =>
      v.conversations.length
        ? v.conversations.map((c) => ({ tenantId: t.tenantId, resourceType: 'conversation', conversationId: c.conversationId, visitorId: v.visitorId }))
        : [{ tenantId: t.tenantId, resourceType: 'visitor', visitorId: v.visitorId }],
    );
    const sent = await ctx.mailer.send({
      to: admins.map((a) => a.email),
      subject: `[Parley security] Exposure report: ${part.totals.visitors} visitor(s) of ${t.name ?? t.tenantId}`,
      text:
        `An access to your customers' chat data matched a security review.\n\n` +
        `Criteria: ${JSON.stringify(report.criteria)}\nGenerated: ${report.generatedAt}\n` +
        `Visitors: ${part.totals.visitors}, conversations: ${part.totals.conversations}\n\n` +
        `Exposed visitors and conversations (CSV):\n\n${exposureCsv(part)}\n` +
        `Access audit checkpoint at the time of this report (verifier key ${report.auditCheckpoint.verifierKey}):\n\n${report.auditCheckpoint.checkpoint ?? '(none yet)\n'}`,
    }, recordMailed(ctx, t.tenantId, 'exposure-report', carried));
    if (sent) emails++;
    await recordAccess(ctx, who, 'exposure.notify', [{ tenantId: t.tenantId, resourceType: 'exposure_report', details: { webhooks, emailed: sent, visitors: part.totals.visitors } }]);
  }
  return { tenants: report.tenants.length, webhooks, emails };
}
