/**
 * The scheduled form of `parley monitor` (PCI DSS 11.6.1): every PAGE_MONITOR_MS (default 5 min)
 * the node loads each page in PAGE_MONITOR in Chromium, compares its Parley loader with the release
 * this node serves (the one in the transparency log) and its scripts and security headers with the
 * baseline recorded on the first clean run, and raises a `page.changed` incident for the tenant on
 * any difference — within one interval of the change. Baselines live in DATA_DIR/page-monitor/.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Ctx } from '../context.js';
import { parsePairs, PeriodicJob } from '../periodicJob.js';
import { raiseIncident } from './incidents.js';
import { monitorPage, type Expected, type PageFinding } from './pageMonitor.js';

export interface PageMonitorConfig {
  tenant: string;
  url: string;
}

/** PAGE_MONITOR: comma-separated "<tenant slug> <page URL>" pairs. */
export function parsePageMonitor(raw: string | undefined, problems: string[]): PageMonitorConfig[] {
  return parsePairs('PAGE_MONITOR', raw, problems, (tenant, url) => {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('the page URL must be http(s)');
    return { tenant, url };
  });
}

export interface PageCheck {
  page: string;
  checkedAt: string;
  findings: PageFinding[];
  error: string | null;
}

export class PageMonitorJob {
  private readonly job: PeriodicJob;
  /** The last result per tenant and page, for the evidence pack. */
  readonly last = new Map<string, PageCheck[]>();

  constructor(
    private readonly ctx: Ctx,
    private readonly expected: () => Expected | null,
  ) {
    this.job = new PeriodicJob('page monitor pass', ctx.log, () => this.pass());
  }

  start(): void {
    if (this.ctx.env.pageMonitor.length > 0) this.job.start(this.ctx.env.pageMonitorMs);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  tick(): Promise<void> {
    return this.job.tick();
  }

  private async pass(): Promise<void> {
    const expected = this.expected();
    if (!expected) return;
    for (const { tenant: slug, url } of this.ctx.env.pageMonitor) {
      const tenant = await this.ctx.storage.db.selectFrom('tenants').select(['id']).where('slug', '=', slug).executeTakeFirst();
      if (!tenant) {
        this.ctx.log.warn({ tenant: slug }, 'PAGE_MONITOR names an unknown tenant');
        continue;
      }
      const baselineFile = join(this.ctx.env.dataDir, 'page-monitor', `${tenant.id}-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
      const check: PageCheck = { page: url, checkedAt: new Date().toISOString(), findings: [], error: null };
      try {
        check.findings = (await monitorPage({ page: url, expected, baselineFile })).findings;
      } catch (err) {
        check.error = (err as Error).message;
        check.findings = [{ problem: 'page_unreachable', detail: check.error }];
      }
      this.last.set(tenant.id, [...(this.last.get(tenant.id) ?? []).filter((c) => c.page !== url), check]);
      if (check.findings.length === 0) continue;
      await raiseIncident(this.ctx, {
        tenantId: tenant.id,
        kind: 'page.changed',
        severity: 'critical',
        summary: `Your page ${url} changed: ${check.findings[0]!.detail}${check.findings.length > 1 ? ` (+${check.findings.length - 1} more)` : ''}`,
        details: { page: url, findings: check.findings, expected, checkedAt: check.checkedAt },
        fingerprint: `page.changed:${tenant.id}:${url}:${createHash('sha256').update(JSON.stringify(check.findings)).digest('hex').slice(0, 16)}`,
      });
    }
  }
}
