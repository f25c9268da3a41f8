/**
 * Every AUDIT_CHECKPOINT_MS (default 10 s) each node:
 *  0. (once it owns its DATA_DIR record) checks the record against the checkpoints it signed, and
 *     each pass that the record on disk did not change under it; a mismatch means DATA_DIR was
 *     rewritten: it alarms and refuses to extend or sign from then on;
 *  1. appends the leaves of the entries appended since its last pass to that record: the leaf this
 *     node (or another process on this DATA_DIR) kept when it wrote the entry (auditWritten.ts),
 *     else the database's; an entry that differs from what was written, a hole (a seq missing
 *     below a later one, or below one a process wrote) and an entry that cannot be hashed are
 *     tampering, and the tree goes on past them (the written leaf, or a missing-entry leaf);
 *  2. re-reads the newest checkpointed entry and a sweep of AUDIT_SWEEP_ROWS (default 5,000) older
 *     ones (cycling through the whole log) and compares them with that record;
 *  3. raises any of it as `audit.tamper` (auditAlarms.ts: the node's log and DATA_DIR first, then a
 *     platform incident and one per tenant touched, with their webhooks and e-mail);
 *  4. signs a checkpoint when the tree grew, keeps it in DATA_DIR and asks the witnesses to cosign;
 *     a witness refusing it (a fork: 422, or 409 twice) is tampering, and refuses further signing;
 *  5. every AUDIT_DIGEST_MS sends each tenant the `audit.checkpoint` webhook and an email digest.
 * A process that does not own the record (another on its DATA_DIR does) still compares what it
 * wrote with the database every pass. Nodes' checkpoints of one database are consistent.
 */
import type { Ctx } from '../context.js';
import { PeriodicJob } from '../periodicJob.js';
import { enqueueWebhookEvent } from '../webhooks/webhookEvents.js';
import { AUDIT_TLOG_DIR, AuditTlogState, missingLeafHash, signAuditCheckpoint } from './auditTlog.js';
import { AuditAlarms, describeFindings, type AuditAlarm, type TamperFinding } from './auditAlarms.js';
import { WrittenRecord, type WrittenLeaf } from './auditWritten.js';
import { onAuditCommitted, verifyAudit } from './auditLog.js';
import { HASH_SIZE } from './tlog/merkle.js';
import { openCheckpoint, parseCheckpoint } from './tlog/checkpoint.js';
import { parseNote, parseVerifierKey } from './tlog/note.js';
import type { CosignatureCollector } from './tlog/cosignatures.js';
import type { WitnessRefused } from './tlog/witness.js';
import type { AuditEntry } from '../storage/schema.js';
import { readableRows, safeLeaf } from './auditReadRows.js';
import { LeafTenants } from './auditLeafTenants.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type { TamperFinding } from './auditAlarms.js';

const MAX_NEW_PER_PASS = 200_000;
/** Rows per read, and per pause of the event loop (a read and its hashing: about 1 ms; 1,000 held it 8-16 ms, the largest pauses in a bench run at 1,000 msg/s). */
const PAGE = 100;

interface Signed {
  size: number;
  root: Buffer;
  note: string;
}

export class AuditCheckpointer {
  /** The record outside the database; loaded once this node owns it (one owner per DATA_DIR). */
  private owned: AuditTlogState | null = null;
  private readonly job: PeriodicJob;
  private sweepFrom = 0;
  /** What this process wrote, from the moment each entry committed. */
  readonly written: WrittenRecord;
  private readonly alarms: AuditAlarms;
  private readonly unlisten: () => void;
  /** The newest checkpoint this process signed, or verified in its record when it took it. */
  private lastSigned: Signed | null = null;
  /** Set: this node does not extend or sign any more (its record was rewritten, or a witness holds another history). */
  private refusal: AuditAlarm | null = null;
  /** A record with no checkpoint: the database's chain is checked before the first one is signed. */
  private fresh = false;
  private failedPasses = 0;
  /** Whose each recorded leaf is (loaded with the record). */
  private tenants: LeafTenants | null = null;
  /** Findings this process raised already (seq:problem). */
  private readonly alarmed = new Set<string>();
  /** The largest size a witness told us it cosigned (from this or another node with the key). */
  private witnessSize = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly witnesses: CosignatureCollector | null,
    private readonly sweepRows = ctx.env.auditSweepRows,
  ) {
    this.job = new PeriodicJob('audit checkpoint pass', ctx.log, () => this.pass());
    const dir = join(ctx.env.dataDir, AUDIT_TLOG_DIR);
    this.written = new WrittenRecord(dir, ctx.log);
    this.alarms = new AuditAlarms(ctx, dir);
    this.unlisten = onAuditCommitted(ctx.storage.db, (leaves) => this.written.record(leaves));
  }

  start(): void {
    this.job.start(this.ctx.env.auditCheckpointMs);
  }

  async stop(): Promise<void> {
    await this.job.stop();
    this.unlisten();
    this.written.close();
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

  /**
   * A pass that fails (the log cannot be read at all: the table replaced, dropped, or refused to this
   * node) is logged by the job each time; three in a row are also an alarm, outside the database
   * first (a database outage of 30 s looks the same, and says so).
   */
  private async pass(): Promise<void> {
    try {
      await this.passOnce();
      this.failedPasses = 0;
    } catch (err) {
      if (++this.failedPasses === 3) {
        await this.alarms.raise({
          summary: `The access audit log could not be read for ${this.failedPasses} checkpoint passes (${(err as Error).message}): nothing new is checkpointed or checked until it can be (a database outage, or the log made unreadable)`,
          fingerprint: `audit.tamper:unreadable:${this.ctx.env.nodeId}`,
          findings: [],
        });
      }
      throw err;
    }
  }

  private async passOnce(): Promise<void> {
    // Nodes sharing a DATA_DIR (several processes on one machine) leave the record to one of them.
    if (!this.owned) {
      this.owned = AuditTlogState.claim(this.ctx.env.dataDir);
      if (this.owned) this.refusal = this.checkRecord(this.owned);
      if (this.owned && !this.refusal) this.tenants = new LeafTenants(join(this.owned.dir, 'leaf-tenants'), this.owned.tree.size);
    } else this.refusal ??= this.recordChanged();
    if (!this.owned || this.refusal) {
      if (this.refusal) await this.alarms.raise(this.refusal);
      await this.checkOwnWrites();
      return;
    }
    if (this.fresh) await this.checkChainOfFreshRecord();
    const { leaves: known, conflicts } = this.written.all();
    const findings: TamperFinding[] = conflicts.map((c) => ({ seq: c.seq, problem: 'reused', tenantId: c.tenantId }));
    findings.push(...(await this.verifyKnown(known)));
    const extended = await this.extend(known);
    findings.push(...extended.findings);
    const tree = this.state.tree;
    // A witness cosigned a larger tree than the database holds now (a lagging node catches up in one pass; a truncated log does not).
    if (extended.reachedEnd && this.witnessSize > tree.size) {
      for (let seq = tree.size + 1; seq <= Math.min(this.witnessSize, tree.size + 100); seq++) findings.push({ seq, problem: 'missing' });
    }
    await this.raiseFindings(findings);
    if (!this.lastSigned || tree.size > this.lastSigned.size) {
      const note = signAuditCheckpoint(this.ctx.env.auditSigningKey, tree);
      this.state.save(note);
      this.lastSigned = { size: tree.size, root: tree.root(), note };
      this.fresh = false;
    }
    // Everything up to the tree's size was compared with what was written when it was appended.
    this.written.forget(tree.size, known);
    const { note, size } = this.lastSigned;
    if (this.witnesses) await this.witnesses.collect(note, size, (old) => tree.consistencyProof(old, size), (url, err) => this.witnessRefused(url, err));
    await this.digestIfDue();
  }

  /**
   * The record must hold the leaves of every checkpoint this node signed (the latest and the recent
   * history, each verified with the audit key: those the attacker cannot forge). Leaves edited to
   * match a rewritten database no longer hash to them.
   */
  private checkRecord(state: AuditTlogState): AuditAlarm | null {
    const key = this.ctx.env.auditSigningKey;
    const verifier = parseVerifierKey(key.verifierKey);
    const notes = [...state.recentHistory(), state.latest()].filter((n): n is string => !!n);
    let newest: Signed | null = null;
    for (const note of notes) {
      let cp;
      try {
        cp = openCheckpoint(note, key.origin, [verifier]);
      } catch (err) {
        return this.recordAlarm(`a checkpoint in the node's record is not one it signed (${(err as Error).message})`);
      }
      if (cp.size > state.tree.size || !state.tree.root(cp.size).equals(cp.root)) {
        return this.recordAlarm(`the node's leaf record does not hash to the checkpoint of size ${cp.size} it signed`);
      }
      if (!newest || cp.size >= newest.size) newest = { size: cp.size, root: cp.root, note };
    }
    this.lastSigned = newest;
    this.fresh = newest === null;
    if (this.fresh && state.tree.size > 0) this.ctx.log.warn({ leaves: state.tree.size }, 'the audit leaf record has no checkpoint: checking the database chain before signing');
    return null;
  }

  /** Each pass: the record on disk is what this process last wrote (nobody else writes it while it is the owner). */
  private recordChanged(): AuditAlarm | null {
    if (this.state.leafBytes() !== this.state.tree.size * HASH_SIZE) return this.recordAlarm(`the node's leaf record changed under it (${this.state.leafBytes()} bytes, ${this.state.tree.size * HASH_SIZE} written)`);
    if (this.lastSigned && this.state.latest() !== this.lastSigned.note) return this.recordAlarm("the node's latest checkpoint file changed under it");
    return null;
  }

  private recordAlarm(what: string): AuditAlarm {
    this.ctx.log.error({ record: this.state.dir }, `refusing to extend the audit log: ${what}`);
    return {
      summary: `The access audit record in DATA_DIR was rewritten: ${what}. This node no longer extends or signs the audit log until an operator checks it (parley audit:verify with checkpoints from outside this node)`,
      fingerprint: `audit.tamper:record:${this.ctx.env.nodeId}`,
      findings: [],
      details: { record: this.state.dir, lastSigned: this.lastSigned?.note ?? null },
    };
  }

  /**
   * A record without any checkpoint adopts what the database holds: first the chain must hold
   * (it finds any rewrite that did not recompute every hash), and the leaves this node's
   * processes wrote are compared as usual. Witnesses that cosigned the log before refuse a
   * different history (witnessRefused). Once per fresh record.
   */
  private async checkChainOfFreshRecord(): Promise<void> {
    const { problems } = await verifyAudit(this.ctx.storage.db);
    if (problems.length === 0) return;
    const findings: TamperFinding[] = problems.slice(0, 100).map((p) => ({ seq: p.seq, problem: p.problem === 'missing' ? 'missing' : 'changed' }));
    await this.alarms.raise({ ...this.tamperAlarm(findings), summary: `The access audit log's chain is broken in the database (found by a node starting a new record): ${describeFindings(findings)}` });
    this.fresh = false;
  }

  private async witnessRefused(url: string, err: WitnessRefused): Promise<void> {
    const size = /has seen size (\d+)/.exec(err.message);
    if (size) {
      // Its size is above ours: another node with the key may be ahead; a database holding fewer entries than it is not (pass()).
      this.witnessSize = Math.max(this.witnessSize, Number(size[1]));
      return;
    }
    this.refusal = {
      summary: `A witness refused the access audit checkpoint (${err.message}): the log this node checkpoints is not an extension of the one the witness cosigned. This node no longer signs the audit log`,
      fingerprint: `audit.tamper:witness:${url}:${this.lastSigned?.size ?? 0}`,
      findings: [],
      details: { witness: url, status: err.status, checkpoint: this.lastSigned?.note ?? null },
    };
    await this.alarms.raise(this.refusal);
  }

  /** The entries this process wrote, compared with the database (every pass, owner or not). */
  private async checkOwnWrites(): Promise<void> {
    const own = this.written.own();
    const findings: TamperFinding[] = this.written.reused.map((r) => ({ seq: r.seq, problem: 'reused', tenantId: r.tenantId }));
    if (own.size) {
      let lo = Infinity;
      let hi = 0;
      for (const seq of own.keys()) (lo = Math.min(lo, seq)), (hi = Math.max(hi, seq));
      const seen = new Set<number>();
      for await (const { seq, row } of readableRows(this.ctx.storage.db, lo - 1, hi)) {
        const w = own.get(seq);
        if (!w) continue;
        seen.add(seq);
        if (row === 'unreadable' || !safeLeaf(row)?.equals(w.leaf)) findings.push({ seq, problem: row === 'unreadable' ? 'unreadable' : 'changed', tenantId: w.tenantId });
      }
      for (const [seq, w] of own) if (!seen.has(seq)) findings.push({ seq, problem: 'missing', tenantId: w.tenantId });
    }
    if (findings.length) return this.raiseFindings(findings);
    // Compared and unchanged: the owner's checkpoints cover what is at most their size.
    const latest = AuditTlogState.latestIn(this.ctx.env.dataDir);
    if (latest && !this.refusal) this.written.forget(parseCheckpoint(parseNote(latest).text).size, own);
  }

  /**
   * Appends the leaves of entries newer than the record. Each is compared with what a process on
   * this DATA_DIR wrote under that seq; the written leaf is the one appended when they differ.
   * `known` was read before the rows: every seq in it had committed, so it must be in the database.
   */
  private async extend(known: Map<number, WrittenLeaf>): Promise<{ findings: TamperFinding[]; reachedEnd: boolean }> {
    const tree = this.state.tree;
    const hashes: Buffer[] = [];
    const owners: Array<string | null> = [];
    const findings: TamperFinding[] = [];
    let knownMax = 0;
    for (const seq of known.keys()) knownMax = Math.max(knownMax, seq);
    const put = (seq: number, row: AuditEntry | 'unreadable' | null) => {
      const w = known.get(seq);
      const h = row && row !== 'unreadable' ? safeLeaf(row) : null;
      owners.push(w ? w.tenantId : h && row && row !== 'unreadable' ? row.tenant_id : null);
      if (!h) {
        findings.push({ seq, problem: row ? 'unreadable' : 'missing', tenantId: w?.tenantId ?? (row && row !== 'unreadable' ? row.tenant_id : null) });
        hashes.push(w?.leaf ?? missingLeafHash(seq));
      } else if (w && !w.leaf.equals(h)) {
        findings.push({ seq, problem: 'changed', tenantId: w.tenantId });
        hashes.push(w.leaf);
      } else hashes.push(h);
    };
    const limit = tree.size + MAX_NEW_PER_PASS;
    let next = tree.size + 1;
    for await (const { seq, row } of readableRows(this.ctx.storage.db, tree.size, limit)) {
      for (; next < seq; next++) put(next, null);
      put(seq, row);
      next = seq + 1;
    }
    const reachedEnd = next <= limit;
    // The tail: entries written and acknowledged, not in the database any more (truncated).
    if (reachedEnd) for (; next <= knownMax; next++) put(next, null);
    // In slices, each one pause of the event loop (a few hundred µs), not one for the whole pass.
    for (let i = 0; i < hashes.length; i += PAGE) {
      this.state.appendLeaves(hashes.slice(i, i + PAGE));
      this.tenants?.append(owners.slice(i, i + PAGE));
      if (i + PAGE < hashes.length) await new Promise((resolve) => setImmediate(resolve));
    }
    return { findings: findings.slice(0, 1000), reachedEnd };
  }

  /** Re-reads the newest recorded entry and one sweep window, compares with the leaf record; and what was written under recorded seqs. */
  private async verifyKnown(known: Map<number, WrittenLeaf>): Promise<TamperFinding[]> {
    const tree = this.state.tree;
    if (tree.size === 0) return [];
    const findings: TamperFinding[] = [];
    // In memory: an entry appended from the database before the process that wrote it had told the record.
    for (const [seq, w] of known) if (seq <= tree.size && !tree.leafHashAt(seq - 1).equals(w.leaf)) findings.push({ seq, problem: 'changed', tenantId: w.tenantId });
    // The tenant the record says the entry was checkpointed for (the row's may have been rewritten too).
    const owner = (seq: number) => this.tenants?.at(seq - 1) ?? null;
    const check = async (from: number, to: number) => {
      let expected = from + 1;
      for await (const { seq, row } of readableRows(this.ctx.storage.db, from, to)) {
        for (; expected < seq; expected++) findings.push({ seq: expected, problem: 'missing', tenantId: owner(expected) });
        if (row === 'unreadable') findings.push({ seq, problem: 'unreadable', tenantId: owner(seq) });
        else if (!safeLeaf(row)?.equals(tree.leafHashAt(seq - 1))) findings.push({ seq, problem: 'changed', tenantId: owner(seq) ?? row.tenant_id });
        expected = seq + 1;
      }
      for (; expected <= to; expected++) findings.push({ seq: expected, problem: 'missing', tenantId: owner(expected) });
    };
    await check(tree.size - 1, tree.size);
    if (this.sweepFrom >= tree.size - 1) this.sweepFrom = 0;
    const to = Math.min(tree.size - 1, this.sweepFrom + this.sweepRows);
    await check(this.sweepFrom, to);
    this.sweepFrom = to;
    // A hole stays one (its missing-entry leaf is what was checkpointed): raised again each time it is re-read.
    return findings.slice(0, 1000);
  }

  /**
   * One alarm per pass, named by its first entry, for what no earlier alarm of this process named
   * (a hole raised once must not hide a later rewrite of another entry under its open incident);
   * nothing new: the same condition again, so an incident deleted meanwhile is raised again.
   */
  private async raiseFindings(findings: TamperFinding[]): Promise<void> {
    if (findings.length === 0) return;
    const key = (f: TamperFinding) => `${f.seq}:${f.problem}`;
    const fresh = findings.filter((f) => !this.alarmed.has(key(f)));
    for (const f of findings) if (this.alarmed.size < 100_000) this.alarmed.add(key(f));
    await this.alarms.raise(this.tamperAlarm(fresh.length ? fresh : findings));
  }

  /** One alarm: the first entry found wrong, and the list (a rewrite changes every later entry). */
  private tamperAlarm(findings: TamperFinding[]): AuditAlarm {
    const first = findings.reduce((a, b) => (b.seq < a.seq ? b : a));
    return {
      summary: `The access audit log was rewritten in the database: ${describeFindings(findings)}`,
      fingerprint: `audit.tamper:${first.seq}:${first.problem}`,
      findings,
      details: { checkpoint: this.lastSigned?.note ?? null },
    };
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
