/**
 * The node's part of the transparency logs (issue 16): checkpoints the access audit log
 * (auditCheckpointer.ts) and gets the release log's build-signed checkpoint cosigned by the
 * witnesses in TLOG_WITNESSES, re-submitting every TLOG_WITNESS_INTERVAL_MS until each has
 * cosigned it. Served under /tlog/ (routes/tlog/tlog.ts).
 */
import type { Ctx } from '../context.js';
import { AuditCheckpointer } from './auditCheckpointer.js';
import type { ReleaseTransparency } from './releaseTlog.js';
import { CosignatureCollector } from './tlog/cosignatures.js';

export class Transparency {
  readonly audit: AuditCheckpointer;
  private readonly releaseWitnesses: CosignatureCollector | null;
  private timer: NodeJS.Timeout | null = null;
  private collecting: Promise<void> | null = null;
  private readonly interval: number;

  constructor(
    ctx: Ctx,
    private readonly release: () => ReleaseTransparency | null,
  ) {
    const collector = () => (ctx.env.witnesses.length ? new CosignatureCollector(ctx.env.witnesses, ctx.log) : null);
    this.releaseWitnesses = collector();
    this.audit = new AuditCheckpointer(ctx, collector());
    this.interval = ctx.env.witnessIntervalMs;
  }

  start(): void {
    this.audit.start();
    void this.collectRelease();
    this.timer = setInterval(() => void this.collectRelease(), this.interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.audit.stop(), this.collecting]);
  }

  /** Asks the witnesses (those that have not yet) to cosign the release checkpoint. */
  collectRelease(): Promise<void> {
    const log = this.release();
    if (!log || !this.releaseWitnesses) return Promise.resolve();
    this.collecting ??= this.releaseWitnesses.collect(log.checkpoint.note, log.size, (old) => log.consistencyProof(old)).finally(() => (this.collecting = null));
    return this.collecting;
  }

  /** The release checkpoint as served: signed by the release key, with the witnesses' cosignatures. */
  releaseCheckpoint(): string | null {
    const log = this.release();
    if (!log) return null;
    return this.releaseWitnesses ? this.releaseWitnesses.cosigned(log.checkpoint.note) : log.checkpoint.note;
  }
}
