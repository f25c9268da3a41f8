/**
 * Attack tests for the audit Merkle log: an attacker with full write access to the database
 * deletes, edits, reorders or truncates audit entries and recomputes everything the database
 * holds (every seq, prev_hash, hash and the chain head). The chain check is fooled (control);
 * the checkpoint kept outside the database, audit:verify's proof and the checkpointer are not.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanupTestParley, dropSchemas, makeAgent, makeTenant, startTestParley, type TestParley } from '../testing/testParley.js';
import { newId } from './ids.js';
import { appendAudit, verifyAudit, type AuditActor } from './auditLog.js';
import { rewriteAudit } from '../testing/auditRewrite.js';
import { AuditTlogState, verifyAuditLog } from './auditTlog.js';
import { parseVerifierKey } from './tlog/note.js';
import type { AuditEntry } from '../storage/schema.js';

const admin: AuditActor = { kind: 'agent', id: 'agt_admin', credential: 'session:abcdabcdabcdabcd', address: '203.0.113.7' };

const rewrite = rewriteAudit;

const ATTACKS: Record<string, (rows: AuditEntry[]) => AuditEntry[]> = {
  'one of the admin’s reads deleted': (rows) => rows.filter((r) => r.resource_id !== 'conv_7'),
  'an entry edited (another actor)': (rows) => rows.map((r) => (r.resource_id === 'conv_7' ? { ...r, actor_id: 'agt_innocent' } : r)),
  'two entries reordered': (rows) => {
    const out = [...rows];
    [out[3], out[4]] = [out[4]!, out[3]!];
    return out;
  },
  'the tail truncated': (rows) => rows.slice(0, -3),
};

describe('audit Merkle log against a database-holding attacker', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
    for (let i = 1; i <= 12; i++) {
      await appendAudit(t.ctx.storage.db, admin, [{ tenantId: 'ten_a', action: 'conversation.read', resourceType: 'conversation', resourceId: `conv_${i}`, conversationId: `conv_${i}`, visitorId: `vis_${i}` }]);
    }
    await t.transparency.audit.tick();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const verifier = () => parseVerifierKey(t.ctx.env.auditSigningKey.verifierKey);
  const checkpoints = () => AuditTlogState.open(t.dataDir).history().map((note, i) => ({ source: `#${i}`, note }));

  it('checkpoints every entry and proves the untouched log, entries after the checkpoint reported as uncovered', async () => {
    const db = t.ctx.storage.db;
    expect(await verifyAuditLog(db, { verifier: verifier(), checkpoints: checkpoints() })).toMatchObject({ entries: 12, problems: [], uncovered: 0 });
    await appendAudit(db, admin, [{ tenantId: 'ten_a', action: 'conversation.read', resourceId: 'conv_13' }]);
    expect(await verifyAuditLog(db, { verifier: verifier(), checkpoints: checkpoints() })).toMatchObject({ entries: 13, problems: [], uncovered: 1 });
    await t.transparency.audit.tick();
    const all = checkpoints();
    expect(all.length).toBe(2);
    // Two checkpoints: both proven, and consistent with each other.
    expect(await verifyAuditLog(db, { verifier: verifier(), checkpoints: all })).toMatchObject({ entries: 13, problems: [], uncovered: 0 });
    expect((await t.app.inject({ url: '/tlog/audit/checkpoint' })).body).toBe(all[1]!.note);
  });

  for (const [name, attack] of Object.entries(ATTACKS)) {
    it(`detects ${name}, with every database-held value recomputed`, async () => {
      const db = t.ctx.storage.db;
      await rewrite(db, attack);
      // Control: the hash chain alone, recomputed by the attacker, says nothing is wrong.
      expect((await verifyAudit(db)).problems).toEqual([]);
      // The checkpoint signed outside the database does not match any more.
      const report = await verifyAuditLog(db, { verifier: verifier(), checkpoints: checkpoints(), leafHashes: AuditTlogState.open(t.dataDir).tree });
      expect(report.problems.map((p) => p.problem)).toEqual([expect.stringMatching(/^(rewritten|truncated)$/)]);
      // And the node raises an incident on its next pass.
      await t.transparency.audit.tick();
      const incidents = await db.selectFrom('incidents').selectAll().where('kind', '=', 'audit.tamper').execute();
      expect(incidents).toHaveLength(1);
      expect(incidents[0]!.summary).toMatch(/rewritten/);
    });
  }

  it('publishes the checkpoint out of the database’s reach: audit.checkpoint webhook and e-mail digest to each tenant, and in exposure reports', async () => {
    const db = t.ctx.storage.db;
    const tenant = await makeTenant(t);
    const admin = await makeAgent(t, tenant, 'admin');
    await db.insertInto('webhooks').values({ id: newId('whk'), tenant_id: tenant.id, url: 'http://127.0.0.1:9/hook', secret: 'x'.repeat(32), events: JSON.stringify(['audit.checkpoint']), created_at: Date.now(), disabled_at: null }).execute();
    const mails: Array<{ to: string[]; text: string }> = [];
    vi.spyOn(t.ctx.mailer, 'send').mockImplementation(async (m) => (mails.push(m), true));
    expect(await t.transparency.audit.sendDigest()).toBe(1);
    const delivery = await db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    const payload = JSON.parse(delivery.payload);
    const latest = AuditTlogState.open(t.dataDir).latest()!;
    expect(payload).toMatchObject({ type: 'audit.checkpoint', data: { checkpoint: latest, verifierKey: t.ctx.env.auditSigningKey.verifierKey } });
    expect(mails.find((m) => m.to.includes(admin.email))!.text).toContain(latest);
    const { exposureReport } = await import('./exposureReport.js');
    const report = await exposureReport(t.ctx, { actorId: 'agt_admin' }, { kind: 'operator', command: 'test' });
    expect(report.auditCheckpoint).toEqual({ origin: t.ctx.env.auditSigningKey.origin, verifierKey: t.ctx.env.auditSigningKey.verifierKey, checkpoint: latest });
  });

  it('refuses a checkpoint signed by another key, and one the attacker forged to match the rewritten log', async () => {
    const db = t.ctx.storage.db;
    await rewrite(db, ATTACKS['one of the admin’s reads deleted']!);
    const { generateSignerKey, parseSignerKey } = await import('./tlog/note.js');
    const { signAuditCheckpoint } = await import('./auditTlog.js');
    const { MerkleTree } = await import('./tlog/merkle.js');
    const { auditLeaf } = await import('./auditTlog.js');
    // The attacker rebuilds a checkpoint for the rewritten log with a key of their own under the same name.
    const theirs = parseSignerKey(generateSignerKey(t.ctx.env.auditSigningKey.origin, 0x01).signerKey);
    const tree = new MerkleTree();
    for (const r of await db.selectFrom('audit_log').selectAll().orderBy('seq').execute()) tree.append(auditLeaf(r));
    const forged = signAuditCheckpoint({ ...t.ctx.env.auditSigningKey, privateKey: theirs.privateKey }, tree);
    const report = await verifyAuditLog(db, { verifier: verifier(), checkpoints: [{ source: 'forged', note: forged }] });
    expect(report.problems).toEqual([expect.objectContaining({ problem: 'bad_signature' })]);
  });
});

describe('audit log record outside the database', () => {
  it('belongs to one live process per DATA_DIR; a dead owner’s claim is taken over; the key is generated once', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { auditSigningKeyFrom } = await import('./auditTlog.js');
    const dir = mkdtempSync(join(tmpdir(), 'parley-auditrec-'));
    try {
      const problems: string[] = [];
      const a = auditSigningKeyFrom({}, dir, 'http://chat.example', problems);
      const b = auditSigningKeyFrom({}, dir, 'http://chat.example', problems);
      expect(problems).toEqual([]);
      expect(a!.verifierKey).toBe(b!.verifierKey);
      expect(a!.origin).toBe('chat.example/parley/audit');
      const mine = AuditTlogState.claim(dir)!;
      expect(mine).not.toBeNull();
      writeFileSync(join(dir, 'audit-tlog', 'owner'), String(process.ppid)); // a live other process
      expect(AuditTlogState.claim(dir)).toBeNull();
      writeFileSync(join(dir, 'audit-tlog', 'owner'), '2147483646'); // no such process
      expect(AuditTlogState.claim(dir)).not.toBeNull();
      mine.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
