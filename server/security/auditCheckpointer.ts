/**
 * Every AUDIT_CHECKPOINT_MS (default 10 s) each node:
 *  1. hashes the audit entries appended since its last pass into its leaf record outside the
 *     database (auditTlog.ts) — a batch, not a cost per access;
 *  2. re-reads the newest checkpointed entry and a sweep of AUDIT_SWEEP_ROWS (default 5,000) older ones (cycling
 *     through the whole log) and compares them with that record; any entry changed, missing or
 *     moved raises an `audit.tamper` incident (console, webhooks, admins' email) — the newest
 *     entry at once (a truncated tail), the others within one sweep cycle;
 *  3. signs a checkpoint when the tree grew, keeps it in DATA_DIR and asks the witnesses to cosign;
 *  4. every AUDIT_DIGEST_MS sends each tenant the `audit.checkpoint` webhook and an email digest.
 * Nodes run this independently; their checkpoints of one database are consistent with each other.
 */
import type { Ctx } from '../context.js';
import { PeriodicJob } from '../periodicJob.js';
import { enqueueWebhookEvent } from '../webhooks/webhookEvents.js';
import { auditLeaf, auditRows, AuditTlogState, signAuditCheckpoint } from './auditTlog.js';
import { raiseIncident } from './incidents.js';
import { leafHash } from './tlog/merkle.js';
import { parseCheckpoint } from './tlog/checkpoint.js';
import { parseNote } from './tlog/note.js';
import type { CosignatureCollector } from './tlog/cosignatures.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_NEW_PER_PASS = 200_000;
/** Rows per read, and per pause of the event loop (a read and its hashing: about 1 ms; 1,000 held it 8-16 ms, the largest pauses in a bench run at 1,000 msg/s). */
const PAGE = 100;

export interface TamperFinding {
  seq: number;
  problem: 'changed' | 'missing';
}

export class AuditCheckpointer {
  /** The record outside the database; loaded once this node owns it (one owner per DATA_DIR). */
  private owned: AuditTlogState | null = null;
  private readonly job: PeriodicJob;
  private sweepFrom = 0;
  /** The leaf record was cut off by a hole in the database; new entries wait until that is resolved. */
  private blocked = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly witnesses: CosignatureCollector | null,
    private readonly sweepRows = ctx.env.auditSweepRows,
  ) {
    this.job = new PeriodicJob('audit checkpoint pass', ctx.log, () => this.pass());
  }

  start(): void {
    this.job.start(this.ctx.env.auditCheckpointMs);
  }

  async stop(): Promise<void> {
    await this.job.stop();
    this.owned?.release();
    this.owned = null;
  }

  /** One pass; exposed so tests can drive it. */
  tick(): Promise<void> {
    return this.job.tick();
  }

  /** The latest checkpoint (written by whichever node on this DATA_DIR owns the record) with the witnesses' cosignatures. */
  checkpoint(): string | null {
    const note = AuditTlogState.latestIn(this.ctx.env.dataDir);
    return note && this.witnesses ? this.witnesses.cosigned(note) : note;
  }

  private get state(): AuditTlogState {
    return this.owned!;
  }

  private async pass(): Promise<void> {
    // Nodes sharing a DATA_DIR (several processes on one machine) leave the record to one of them.
    this.owned ??= AuditTlogState.claim(this.ctx.env.dataDir);
    if (!this.owned) return;
    const findings = [...(await this.verifyKnown()), ...(await this.extend())];
    if (findings.length) await this.raise(findings);
    const tree = this.state.tree;
    const latest = this.state.latest();
    const latestSize = latest ? parseCheckpoint(parseNote(latest).text).size : 0;
    if (tree.size > latestSize || (!latest && tree.size === 0)) this.state.save(signAuditCheckpoint(this.ctx.env.auditSigningKey, tree));
    const note = this.state.latest();
    if (note && this.witnesses) await this.witnesses.collect(note, parseCheckpoint(parseNote(note).text).size, (old) => tree.consistencyProof(old, parseCheckpoint(parseNote(note).text).size));
    await this.digestIfDue();
  }

  /** Appends the leaves of entries newer than the record; a hole (a deleted new entry) stops it there. */
  private async extend(): Promise<TamperFinding[]> {
    if (this.blocked) return [];
    const tree = this.state.tree;
    const hashes: Buffer[] = [];
    const findings: TamperFinding[] = [];
    let next = tree.size + 1;
    for await (const row of auditRows(this.ctx.storage.db, tree.size, tree.size + MAX_NEW_PER_PASS, PAGE)) {
      if (row.seq !== next) {
        findings.push({ seq: next, problem: 'missing' });
        this.blocked = true;
        break;
      }
      hashes.push(leafHash(auditLeaf(row)));
      next++;
    }
    // In slices, each one pause of the event loop (a few hundred µs), not one for the whole pass.
    for (let i = 0; i < hashes.length; i += PAGE) {
      this.state.appendLeaves(hashes.slice(i, i + PAGE));
      if (i + PAGE < hashes.length) await new Promise((resolve) => setImmediate(resolve));
    }
    return findings;
  }

  /** Re-reads the newest recorded entry and one sweep window, compares with the leaf record. */
  private async verifyKnown(): Promise<TamperFinding[]> {
    const tree = this.state.tree;
    if (tree.size === 0) return [];
    const findings: TamperFinding[] = [];
    const check = async (from: number, to: number) => {
      let expected = from + 1;
      for await (const row of auditRows(this.ctx.storage.db, from, to, PAGE)) {
        for (; expected < row.seq; expected++) findings.push({ seq: expected, problem: 'missing' });
        if (!leafHash(auditLeaf(row)).equals(tree.leafHashAt(row.seq - 1))) findings.push({ seq: row.seq, problem: 'changed' });
        expected = row.seq + 1;
      }
      for (; expected <= to; expected++) findings.push({ seq: expected, problem: 'missing' });
    };
    await check(tree.size - 1, tree.size);
    if (this.sweepFrom >= tree.size - 1) this.sweepFrom = 0;
    const to = Math.min(tree.size - 1, this.sweepFrom + this.sweepRows);
    await check(this.sweepFrom, to);
    this.sweepFrom = to;
    // One incident per kind of problem and first entry is enough to act on; the details list them.
    return findings.slice(0, 100);
  }

  /** One incident per pass: the first entry found wrong, and the list (a rewrite changes every later entry). */
  private async raise(findings: TamperFinding[]): Promise<void> {
    const first = findings.reduce((a, b) => (b.seq < a.seq ? b : a));
    await raiseIncident(this.ctx, {
      tenantId: null,
      kind: 'audit.tamper',
      severity: 'critical',
      summary: `The access audit log was rewritten in the database: entry ${first.seq} was ${first.problem === 'missing' ? 'deleted or moved' : 'changed'} after it was checkpointed${findings.length > 1 ? ` (${findings.length} entries differ)` : ''}`,
      details: { findings: findings.slice(0, 50), node: this.ctx.env.nodeId, checkpoint: this.state.latest(), detectedAt: new Date().toISOString() },
      fingerprint: `audit.tamper:${first.seq}:${first.problem}`,
    });
  }

  /** Sends each tenant the latest checkpoint, every AUDIT_DIGEST_MS (the time is kept in DATA_DIR). */
  private async digestIfDue(): Promise<void> {
    const file = join(this.state.dir, 'digest.json');
    const last = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { at: number }).at : 0;
    const now = Date.now();
    if (last === 0) {
      writeFileSync(file, JSON.stringify({ at: now }));
      return;
    }
    if (now - last < this.ctx.env.auditDigestMs) return;
    writeFileSync(file, JSON.stringify({ at: now }));
    await this.sendDigest();
  }

  async sendDigest(): Promise<number> {
    const note = this.checkpoint();
    if (!note) return 0;
    const key = this.ctx.env.auditSigningKey;
    const cp = parseCheckpoint(parseNote(note).text);
    const data = { origin: key.origin, verifierKey: key.verifierKey, size: cp.size, rootHash: cp.root.toString('base64'), checkpoint: note, node: this.ctx.env.nodeId };
    const db = this.ctx.storage.db;
    let sent = 0;
    for (const t of await db.selectFrom('tenants').select(['id', 'name']).execute()) {
      sent += await enqueueWebhookEvent(db, t.id, 'audit.checkpoint', data);
      const admins = await db.selectFrom('agents').select('email').where('tenant_id', '=', t.id).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
      await this.ctx.mailer.send({
        to: admins.map((a) => a.email),
        subject: `[Parley] Access audit checkpoint: ${cp.size} entries`,
        text:
          `Keep this message: it lets you prove later that Parley's access audit log was not rewritten.\n\n` +
          `Verifier key: ${key.verifierKey}\n\nSigned checkpoint:\n\n${note}\n` +
          `Check it with: parley audit:verify --checkpoint <file with the checkpoint above> --key ${key.verifierKey}\n`,
      });
    }
    return sent;
  }
}
