/**
 * Re-verifies the served release on disk every RELEASE_RECHECK_MS (default 10 s, at most 20 s) and
 * raises a `release.tamper` incident for every file, manifest or signature found changed, missing or
 * unsigned — a platform-wide incident (every tenant embeds the same loader and frame): agents' consoles
 * get it at once, tenants' webhooks and admins' mailboxes soon after, and the audit chain records it.
 * The changed file itself is refused from the moment it is found (PublicFiles).
 */
import type { Ctx } from '../context.js';
import type { PublicFiles, TamperFinding } from './publicFiles.js';
import { raiseIncident } from './incidents.js';
import { PeriodicJob } from '../periodicJob.js';

export class ReleaseGuard {
  private readonly job: PeriodicJob;

  constructor(
    private readonly ctx: Ctx,
    private readonly files: PublicFiles,
    private readonly intervalMs: number,
  ) {
    this.job = new PeriodicJob('release re-verification', ctx.log, () => this.check());
  }

  start(): void {
    this.job.start(this.intervalMs);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** One pass; exposed so tests can drive it. */
  tick(): Promise<void> {
    return this.job.tick();
  }

  private async check(): Promise<void> {
    const findings = await this.files.recheck();
    for (const f of findings) await this.raise(f);
  }

  private async raise(f: TamperFinding): Promise<void> {
    const release = this.files.release;
    const what = f.problem === 'unsigned' ? `The release is refused: ${f.detail}` : `Served file ${f.path} ${f.problem === 'missing' ? 'disappeared' : 'changed'} on disk; it is no longer served`;
    await raiseIncident(this.ctx, {
      tenantId: null,
      kind: 'release.tamper',
      severity: 'critical',
      summary: what,
      details: {
        path: f.path,
        problem: f.problem,
        expected: f.expected,
        actual: f.actual,
        detail: f.detail,
        release: release ? { seq: release.seq, version: release.version, keyId: release.keyId, hash: release.hash } : null,
        node: this.ctx.env.nodeId,
        detectedAt: new Date().toISOString(),
      },
      fingerprint: `release.tamper:${release?.hash ?? 'unsigned'}:${f.path}:${f.problem}`,
    });
  }
}
