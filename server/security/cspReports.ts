/**
 * CSP reporting for tenants: the policy Parley proposes for a tenant's pages, and the intake of the
 * violation reports browsers send for it. Each blocked destination (an origin, or `inline`, `eval`…)
 * is counted per tenant; the first report of a destination the tenant has never seen raises a
 * `csp.new_destination` incident for that tenant — that is how a skimmer on the tenant's own payment
 * page, which Parley's isolation cannot prevent, is noticed within seconds.
 *
 * Reports are attacker-influenced input (anyone who reads the page's CSP header can post to its
 * endpoint). They are validated, size- and rate-limited, reduced to origin + path (query strings and
 * fragments — where a skimmer puts card data — are dropped, and what remains is redacted), and only
 * accepted for documents on the tenant's registered origins.
 */
import type { Ctx } from '../context.js';
import type { Db } from '../storage/db.js';
import type { CspDestination, CspReport } from '../storage/schema.js';
import type { CspDestinationView, CspProposal, CspReportView } from '../../protocol/csp.js';
import { CSP_LIMITS } from '../../protocol/csp.js';
import { redact } from '../../protocol/redaction.js';
import { newId, randomToken } from './ids.js';
import { raiseIncident } from './incidents.js';
import { RateLimiter } from './rateLimiter.js';
import { AppError } from '../errors.js';

/** One violation, whatever format it came in. */
export interface Violation {
  format: CspReport['format'];
  documentUrl: string;
  blockedUrl: string | null;
  directive: string;
  sourceFile: string | null;
  line: number | null;
  disposition: string;
}

export const REPORTING_GROUP = 'parley-csp';

/** The tenant's report key, created on first use. */
export async function cspReportKey(db: Db, tenantId: string): Promise<string> {
  const found = await db.selectFrom('csp_endpoints').select('report_key').where('tenant_id', '=', tenantId).executeTakeFirst();
  if (found) return found.report_key;
  await db
    .insertInto('csp_endpoints')
    .values({ tenant_id: tenantId, report_key: 'csp_' + randomToken(18), created_at: Date.now() })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  return (await db.selectFrom('csp_endpoints').select('report_key').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).report_key;
}

/**
 * A policy for pages that embed Parley: scripts only from the page's own origin and Parley's
 * versioned loader path, frames only Parley's widget frame, network requests, images, forms and
 * bases only to the page's own origin, and every violation reported to Parley in both formats.
 * Inline styles stay allowed (most shops need them); inline scripts and eval do not.
 */
export function proposeCsp(publicUrl: string, reportKey: string): CspProposal {
  const reportUrl = `${publicUrl}/api/csp/${reportKey}`;
  const policy = [
    "default-src 'self'",
    `script-src 'self' ${publicUrl}/widget/v/`,
    `frame-src ${publicUrl}/widget/frame/`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `report-uri ${reportUrl}`,
    `report-to ${REPORTING_GROUP}`,
  ].join('; ');
  return { policy, reportingEndpoints: `${REPORTING_GROUP}="${reportUrl}"`, reportUrl };
}

/** Origin + path, never query or fragment, with card-like digit runs redacted; null when not a URL. */
export function safeUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return u.protocol;
    return redact(u.origin + u.pathname).text.slice(0, CSP_LIMITS.maxUrlChars);
  } catch {
    return null;
  }
}

/** The grouping key: the blocked URL's origin, a scheme (`data:`), or a CSP keyword (`inline`, `eval`). */
export function destinationOf(blocked: string | null | undefined): string {
  return redact(destinationOfRaw(blocked)).text;
}

/** (Redacted by destinationOf: an origin's host name or a bare word may hold a card number too.) */
function destinationOfRaw(blocked: string | null | undefined): string {
  if (!blocked) return 'unknown';
  try {
    const u = new URL(blocked);
    if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return u.origin;
    return u.protocol;
  } catch {
    const word = blocked.trim().toLowerCase();
    return /^[a-z][a-z0-9-]{0,31}$/.test(word) ? word : 'unknown';
  }
}

export function directiveOf(effective: string | undefined | null, violated: string | undefined | null): string {
  const d = (effective || violated || '').trim().split(/\s+/)[0] ?? '';
  return /^[a-z][a-z-]{0,63}$/.test(d) ? d : 'unknown';
}

export class CspLimits {
  readonly perTenant = new RateLimiter(CSP_LIMITS.perTenantPerMinute, 60_000);
  readonly perAddress = new RateLimiter(CSP_LIMITS.perAddressPerMinute, 60_000);

  /** Counts `n` reports; throws rate_limited when the tenant or the address is over its limit. */
  take(tenantId: string, address: string, n: number): void {
    let ok = true;
    for (let i = 0; i < n; i++) {
      // Both limiters count every report, so one busy address cannot starve the tenant's counter silently.
      const a = this.perAddress.hit(address);
      const t = this.perTenant.hit(tenantId);
      ok = ok && a && t;
    }
    if (!ok) throw new AppError('rate_limited', `too many CSP reports (limits: ${CSP_LIMITS.perAddressPerMinute} per address, ${CSP_LIMITS.perTenantPerMinute} per tenant per minute)`);
  }
}

/** Stores the violations of one request and raises an incident for every destination new to the tenant. */
export async function receiveCspReports(ctx: Ctx, tenantId: string, allowedOrigins: string[], violations: Violation[]): Promise<{ stored: number; newDestinations: string[] }> {
  for (const v of violations) {
    let origin: string | null = null;
    try {
      origin = new URL(v.documentUrl).origin;
    } catch {
      origin = null;
    }
    if (!origin || !allowedOrigins.includes(origin)) {
      throw new AppError('validation_failed', "report's document is not on one of the tenant's registered origins");
    }
  }
  const now = Date.now();
  const fresh: Array<{ destination: string; violation: Violation }> = [];
  await ctx.storage.db.transaction().execute(async (trx) => {
    for (const v of violations) {
      const destination = destinationOf(v.blockedUrl);
      const documentUrl = safeUrl(v.documentUrl) ?? 'unknown';
      await trx
        .insertInto('csp_reports')
        .values({
          id: newId('cspr'),
          tenant_id: tenantId,
          received_at: now,
          format: v.format,
          destination,
          blocked_url: safeUrl(v.blockedUrl),
          directive: v.directive,
          document_url: documentUrl,
          source_file: safeUrl(v.sourceFile),
          line: v.line,
          disposition: v.disposition,
        })
        .execute();
      const inserted = await trx
        .insertInto('csp_destinations')
        .values({ tenant_id: tenantId, destination, directives: JSON.stringify([v.directive]), reports: 1, first_seen_at: now, last_seen_at: now, last_document_url: documentUrl })
        .onConflict((oc) => oc.columns(['tenant_id', 'destination']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
        if (!fresh.some((f) => f.destination === destination)) fresh.push({ destination, violation: v });
        continue;
      }
      const row = await trx.selectFrom('csp_destinations').select('directives').where('tenant_id', '=', tenantId).where('destination', '=', destination).executeTakeFirstOrThrow();
      const directives = JSON.parse(row.directives) as string[];
      if (!directives.includes(v.directive) && directives.length < 20) directives.push(v.directive);
      await trx
        .updateTable('csp_destinations')
        .set((eb) => ({ reports: eb('reports', '+', 1), last_seen_at: now, last_document_url: documentUrl, directives: JSON.stringify(directives) }))
        .where('tenant_id', '=', tenantId)
        .where('destination', '=', destination)
        .execute();
    }
  });
  for (const { destination, violation } of fresh) {
    const page = safeUrl(violation.documentUrl) ?? 'unknown page';
    await raiseIncident(ctx, {
      tenantId,
      kind: 'csp.new_destination',
      severity: 'high',
      summary: `New blocked ${violation.directive} destination ${destination} on ${page}`,
      details: {
        destination,
        directive: violation.directive,
        documentUrl: page,
        blockedUrl: safeUrl(violation.blockedUrl),
        sourceFile: safeUrl(violation.sourceFile),
        line: violation.line,
        disposition: violation.disposition,
        advice: 'A script on this page tried to reach a destination your policy does not allow. If you did not add it, treat the page as compromised (possible skimmer).',
      },
      fingerprint: `csp.new_destination:${tenantId}:${destination}`,
    });
  }
  return { stored: violations.length, newDestinations: fresh.map((f) => f.destination) };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function presentCspDestination(d: CspDestination): CspDestinationView {
  return {
    destination: d.destination,
    directives: JSON.parse(d.directives) as string[],
    reports: Number(d.reports),
    firstSeenAt: iso(Number(d.first_seen_at)),
    lastSeenAt: iso(Number(d.last_seen_at)),
    lastDocumentUrl: d.last_document_url,
  };
}

export function presentCspReport(r: CspReport): CspReportView {
  return {
    id: r.id,
    receivedAt: iso(Number(r.received_at)),
    format: r.format,
    destination: r.destination,
    blockedUrl: r.blocked_url,
    directive: r.directive,
    documentUrl: r.document_url,
    sourceFile: r.source_file,
    line: r.line === null ? null : Number(r.line),
    disposition: r.disposition,
  };
}
