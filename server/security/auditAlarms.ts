/**
 * Where a rewrite of the access audit is told. Incidents live in the database the attacker
 * writes, so each alarm also goes where that attacker cannot erase it, before the incident is
 * attempted: an error line in the node's log (pino) and a line in the node's own record,
 * DATA_DIR/audit-tlog/alarms.jsonl. The incident then goes to every tenant (platform incident:
 * entry numbers only, no visitor data), and to each tenant whose entries are touched (its own
 * incident, naming its entries), with their `security.incident` webhooks and admins' e-mail.
 * A deleted incident comes back on the next pass: the condition is checked again every pass.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from '../context.js';
import { raiseIncident } from './incidents.js';

export interface TamperFinding {
  seq: number;
  /** changed: differs from what a node wrote or checkpointed; missing: deleted or moved; reused: its seq was written twice; unreadable: could not be hashed. */
  problem: 'changed' | 'missing' | 'reused' | 'unreadable';
  /** The tenant the entry belongs to, where a node knows it (it wrote the entry, or the row names it). */
  tenantId?: string | null;
}

export interface AuditAlarm {
  summary: string;
  /** Same condition, same fingerprint: one incident while it stays open, one alarm line per process. */
  fingerprint: string;
  findings: TamperFinding[];
  details?: Record<string, unknown>;
}

export const ALARMS_FILE = 'alarms.jsonl';

const WHAT: Record<TamperFinding['problem'], string> = { changed: 'changed', missing: 'deleted or moved', reused: 'replaced (its number was reused)', unreadable: 'unreadable' };

export function describeFindings(findings: TamperFinding[]): string {
  const first = findings.reduce((a, b) => (b.seq < a.seq ? b : a));
  return `entry ${first.seq} was ${WHAT[first.problem]}${findings.length > 1 ? ` (${findings.length} entries differ)` : ''}`;
}

export class AuditAlarms {
  private readonly told = new Set<string>();
  constructor(
    private readonly ctx: Ctx,
    private readonly dir: string,
  ) {
    const f = join(dir, ALARMS_FILE);
    if (!existsSync(f)) return;
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      try {
        if (l) this.told.add((JSON.parse(l) as { fingerprint: string }).fingerprint);
      } catch {
        /* a line torn by a crash: that alarm is told again */
      }
    }
  }

  async raise(alarm: AuditAlarm): Promise<void> {
    const entries = alarm.findings.slice(0, 50).map((f) => ({ seq: f.seq, problem: f.problem }));
    if (!this.told.has(alarm.fingerprint)) {
      this.told.add(alarm.fingerprint);
      const line = { at: new Date().toISOString(), node: this.ctx.env.nodeId, fingerprint: alarm.fingerprint, summary: alarm.summary, entries, details: alarm.details ?? {} };
      this.ctx.log.error({ auditAlarm: line }, 'access audit tamper');
      try {
        appendFileSync(join(this.dir, ALARMS_FILE), JSON.stringify(line) + '\n', { mode: 0o600 });
      } catch (err) {
        this.ctx.log.error({ err: (err as Error).message }, 'the audit alarm could not be written to DATA_DIR');
      }
    }
    await this.incident(() =>
      raiseIncident(this.ctx, {
        tenantId: null,
        kind: 'audit.tamper',
        severity: 'critical',
        summary: alarm.summary,
        details: { findings: entries, node: this.ctx.env.nodeId, detectedAt: new Date().toISOString(), ...alarm.details },
        fingerprint: alarm.fingerprint,
      }),
    );
    const byTenant = new Map<string, TamperFinding[]>();
    for (const f of alarm.findings) if (f.tenantId) byTenant.set(f.tenantId, [...(byTenant.get(f.tenantId) ?? []), f]);
    for (const [tenantId, mine] of byTenant) {
      const list = mine.slice(0, 50);
      // Each tenant apart: a tenant id the attacker wrote into a row may name no tenant.
      await this.incident(() =>
        raiseIncident(this.ctx, {
          tenantId,
          kind: 'audit.tamper',
          severity: 'critical',
          summary: `Access audit entries of this workspace were rewritten in the database: ${list.map((f) => `${f.seq} (${WHAT[f.problem]})`).join(', ')}${mine.length > list.length ? ` and ${mine.length - list.length} more` : ''}`,
          details: { entries: list.map((f) => ({ seq: f.seq, problem: f.problem })), platformFingerprint: alarm.fingerprint, node: this.ctx.env.nodeId },
          fingerprint: `${alarm.fingerprint}:${tenantId}`,
        }),
      );
    }
  }

  private async incident(raise: () => Promise<unknown>): Promise<void> {
    try {
      await raise();
    } catch (err) {
      // The database may be what was broken: the alarm above stands.
      this.ctx.log.error({ err: (err as Error).message }, 'an audit.tamper incident could not be recorded');
    }
  }
}
