/**
 * Attack tests for the windows the checkpoints alone left open (auditTlog.test.ts covers rewrites
 * of checkpointed entries). The attacker writes the database (and, where said, the node's
 * DATA_DIR) but never holds the audit signing key:
 *  - entries acknowledged after the last checkpoint, or before a node's first one, rewritten or
 *    deleted before the next pass (every hash and the head recomputed);
 *  - a hole (an entry deleted, nothing recomputed) must not stop the checkpointer;
 *  - the node's leaf record in DATA_DIR rewritten to match the database, the node restarted;
 *  - the incident rows deleted: the alarm must survive outside the database;
 *  - each tenant whose entries were touched gets its own incident.
 */
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, type TestParley } from '../testing/testParley.js';
import { rewriteAudit } from '../testing/auditRewrite.js';
import { appendAudit, entryHash, verifyAudit, type AuditActor } from './auditLog.js';
import type { Db } from '../storage/db.js';
import { AUDIT_TLOG_DIR, auditLeaf, AuditTlogState, verifyAuditLog } from './auditTlog.js';
import { AuditCheckpointer } from './auditCheckpointer.js';
import { WrittenRecord } from './auditWritten.js';
import { ALARMS_FILE } from './auditAlarms.js';
import { CosignatureCollector } from './tlog/cosignatures.js';
import { leafHash } from './tlog/merkle.js';
import { generateSignerKey, noteSigner, parseSignerKey, parseVerifierKey, SIG_COSIGNATURE } from './tlog/note.js';
import { Witness } from './tlog/witness.js';
import type { AuditEntry, Tenant } from '../storage/schema.js';
import type { AddressInfo } from 'node:net';

const admin: AuditActor = { kind: 'agent', id: 'agt_admin', credential: 'session:abcdabcdabcdabcd', address: '203.0.113.7' };

/** Appends entries the way another node sharing the database does: chained, head moved, but no listener of this process told. */
async function appendAsAnotherNode(db: Db, tenantId: string, ids: number[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const head = await trx.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    let { seq, hash: prev } = head;
    for (const i of ids) {
      seq++;
      const row = { seq, at: Date.now(), tenant_id: tenantId, actor_kind: 'agent' as const, actor_id: 'agt_other', credential: 'session:otherothe', address: null, action: 'conversation.read', resource_type: null, resource_id: `conv_${i}`, conversation_id: `conv_${i}`, visitor_id: null, details: null, prev_hash: prev };
      prev = entryHash(row);
      await trx.insertInto('audit_log').values({ ...row, hash: prev }).execute();
    }
    await trx.updateTable('audit_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
  });
}

describe('audit log: no window between an acknowledged entry and its checkpoint', () => {
  let t: TestParley;
  let a: Tenant;
  let b: Tenant;
  /** Appends one read per id, as the access audit does (outside any caller's transaction). */
  const read = async (tenant: Tenant, ...ids: number[]) => {
    for (const i of ids) await appendAudit(t.ctx.storage.db, admin, [{ tenantId: tenant.id, action: 'conversation.read', resourceType: 'conversation', resourceId: `conv_${i}`, conversationId: `conv_${i}`, visitorId: `vis_${i}` }]);
  };
  const seqOf = async (resourceId: string) => (await t.ctx.storage.db.selectFrom('audit_log').select('seq').where('resource_id', '=', resourceId).executeTakeFirstOrThrow()).seq;
  const tamper = () => t.ctx.storage.db.selectFrom('incidents').selectAll().where('kind', '=', 'audit.tamper').execute();
  const verifier = () => parseVerifierKey(t.ctx.env.auditSigningKey.verifierKey);
  const record = () => join(t.dataDir, AUDIT_TLOG_DIR);
  /** audit:verify as the CLI runs it: the node's checkpoints, its leaf record and what it wrote. */
  const auditVerify = () => {
    const local = AuditTlogState.open(t.dataDir);
    return verifyAuditLog(t.ctx.storage.db, { verifier: verifier(), checkpoints: local.history().map((note, i) => ({ source: `#${i}`, note })), leafHashes: local.tree, written: WrittenRecord.readAll(record()) });
  };

  beforeEach(async () => {
    t = await startTestParley();
    a = await makeTenant(t);
    b = await makeTenant(t);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const NEW_ENTRY_ATTACKS = {
    'deleted, every hash and the head recomputed': (id: string) => rewriteAudit(t.ctx.storage.db, (rows) => rows.filter((r) => r.resource_id !== id)),
    'edited (another actor), every hash and the head recomputed': (id: string) => rewriteAudit(t.ctx.storage.db, (rows) => rows.map((r) => (r.resource_id === id ? { ...r, actor_id: 'agt_innocent' } : r))),
    'deleted with the tail, the head moved back so new entries reuse the numbers': async (id: string) => {
      await rewriteAudit(t.ctx.storage.db, (rows) => rows.slice(0, rows.findIndex((r) => r.resource_id === id)));
      await read(a, 90, 91, 92);
    },
  };

  for (const [name, attack] of Object.entries(NEW_ENTRY_ATTACKS)) {
    it(`an entry acknowledged after the last checkpoint and ${name} before the next pass: audit:verify fails at once, the next pass raises it`, async () => {
      await read(a, 1, 2, 3, 4, 5);
      await t.transparency.audit.tick();
      const checkpointed = AuditTlogState.open(t.dataDir).history();
      await read(a, 6, 7, 8);
      const victim = await seqOf('conv_7');
      await attack('conv_7');
      // Control: the chain holds, and every checkpoint signed so far still proves the database (the window).
      expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]);
      const onlyCheckpoints = await verifyAuditLog(t.ctx.storage.db, { verifier: verifier(), checkpoints: checkpointed.map((note) => ({ source: 'cp', note })) });
      expect(onlyCheckpoints.problems).toEqual([]);
      // What the node wrote proves it, before any pass.
      expect((await auditVerify()).problems).toContainEqual(expect.objectContaining({ problem: 'unlike_written', detail: expect.stringContaining(`first: seq ${victim}`) }));
      await t.transparency.audit.tick();
      const incidents = await tamper();
      expect(incidents.find((i) => i.tenant_id === null)!.summary).toMatch(new RegExp(`rewritten in the database: entry ${victim} was`));
      // The new checkpoint commits to what was written, not to the rewrite: it fails against the database for good.
      expect((await auditVerify()).checkpoints.at(-1)).toMatchObject({ ok: false });
    });
  }

  it('a fresh record (no checkpoint yet) does not adopt a history rewritten before its first pass', async () => {
    await read(a, 1, 2, 3, 4, 5, 6);
    const victim = await seqOf('conv_3');
    await rewriteAudit(t.ctx.storage.db, (rows) => rows.filter((r) => r.resource_id !== 'conv_3'));
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]); // control
    await t.transparency.audit.tick();
    expect((await tamper()).find((i) => i.tenant_id === null)!.summary).toContain(`entry ${victim} was`);
    expect((await auditVerify()).problems.length).toBeGreaterThan(0);
  });

  it('a hole (an entry deleted, nothing recomputed) is raised and the checkpointer goes on: later entries are checkpointed and proven', async () => {
    await read(a, 1, 2, 3);
    await t.transparency.audit.tick();
    // Entries this node's written record does not know (another node appended them), one of them then deleted.
    await appendAsAnotherNode(t.ctx.storage.db, a.id, [4, 5, 6, 7]);
    const hole = await seqOf('conv_5');
    const last = await seqOf('conv_7');
    await t.ctx.storage.db.deleteFrom('audit_log').where('seq', '=', hole).execute();
    await t.transparency.audit.tick();
    expect((await tamper()).find((i) => i.tenant_id === null)!.summary).toContain(`entry ${hole} was deleted or moved`);
    // It did not stop at the hole: the checkpoint covers the entries after it, and proves them.
    const state = AuditTlogState.open(t.dataDir);
    expect(state.tree.size).toBe(last);
    const report = await auditVerify();
    expect(report.checkpoints.at(-1)).toEqual({ source: expect.any(String), size: last, ok: true });
    expect(report.problems).toEqual([expect.objectContaining({ problem: 'gap' })]);
    // So an entry after the hole rewritten later is found like any checkpointed one.
    await t.ctx.storage.db.updateTable('audit_log').set({ actor_id: 'agt_innocent' }).where('seq', '=', last).execute();
    await t.transparency.audit.tick();
    expect((await tamper()).some((i) => i.tenant_id === null && i.summary.includes(`entry ${last} was changed`))).toBe(true);
  });

  it('an entry appended inside a caller’s transaction (an admin action) is known from its commit; a rolled-back one is not, and its reused number raises nothing', async () => {
    const db = t.ctx.storage.db;
    await read(a, 1, 2);
    await t.transparency.audit.tick();
    // Rolled back: its seq is taken again by the next entry; that is no rewrite.
    await expect(
      db.transaction().execute(async (trx) => {
        await appendAudit(trx, admin, [{ tenantId: a.id, action: 'webhook.created', resourceId: 'whk_rolledback' }]);
        throw new Error('the caller fails after its audit entry');
      }),
    ).rejects.toThrow('the caller fails');
    await db.transaction().execute((trx) => appendAudit(trx, admin, [{ tenantId: a.id, action: 'api_key.revoked', resourceId: 'key_1' }]));
    await read(a, 3);
    await t.transparency.audit.tick();
    expect(await tamper()).toEqual([]);
    // Committed inside a transaction, then rewritten before the next pass, every hash recomputed.
    await db.transaction().execute((trx) => appendAudit(trx, admin, [{ tenantId: a.id, action: 'api_key.revoked', resourceId: 'key_2' }]));
    const victim = await seqOf('key_2');
    await rewriteAudit(db, (rows) => rows.map((r) => (r.resource_id === 'key_2' ? { ...r, actor_id: 'agt_innocent' } : r)));
    expect((await auditVerify()).problems).toContainEqual(expect.objectContaining({ problem: 'unlike_written' }));
    await t.transparency.audit.tick();
    expect((await tamper()).find((i) => i.tenant_id === null)!.summary).toContain(`entry ${victim} was changed`);
  });

  it('an entry made unreadable (the table replaced by a view that fails on it) is raised and the checkpointer goes on past it', async () => {
    const db = t.ctx.storage.db;
    await read(a, 1, 2, 3);
    await t.transparency.audit.tick();
    await read(a, 4, 5, 6, 7);
    const bad = await seqOf('conv_5');
    const last = await seqOf('conv_7');
    const cols = 'tenant_id, actor_kind, actor_id, credential, address, action, resource_type, resource_id, conversation_id, visitor_id, details, prev_hash, hash';
    // Reading the row fails (SQLite: integer overflow in abs(); PostgreSQL: division by zero); every other row reads.
    const failing = t.ctx.storage.dialect === 'sqlite' ? `abs(-9223372036854775807 - 1 + (${bad} - seq))` : `(1 / (seq - ${bad}))::bigint`;
    await sql.raw('alter table audit_log rename to audit_real').execute(db);
    await sql.raw(`create view audit_log as select seq, case when seq = ${bad} then ${failing} else at end as at, ${cols} from audit_real`).execute(db);
    try {
      await expect(db.selectFrom('audit_log').selectAll().execute()).rejects.toThrow(); // the control: the log cannot be read whole
      await t.transparency.audit.tick();
      const alarms = readFileSync(join(record(), ALARMS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(alarms).toContainEqual(expect.objectContaining({ entries: expect.arrayContaining([{ seq: bad, problem: 'unreadable' }]) }));
      // It went on past the unreadable entry: the entries after it are checkpointed (with the leaf the node wrote for it).
      expect(AuditTlogState.open(t.dataDir).tree.size).toBe(last);
    } finally {
      await sql.raw('drop view audit_log').execute(db);
      await sql.raw('alter table audit_real rename to audit_log').execute(db);
    }
    await t.transparency.audit.tick();
    expect((await auditVerify()).problems).toEqual([]);
  });

  const RECORD_ATTACKS = {
    'an entry deleted': (rows: AuditEntry[]) => rows.filter((r) => r.resource_id !== 'conv_3'),
    'an entry edited (same number of leaves)': (rows: AuditEntry[]) => rows.map((r) => (r.resource_id === 'conv_3' ? { ...r, actor_id: 'agt_innocent' } : r)),
  };
  for (const [name, edit] of Object.entries(RECORD_ATTACKS)) it(`refuses to sign over its leaf record rewritten in DATA_DIR to match a database with ${name}, after a restart`, async () => {
    await read(a, 1, 2, 3, 4, 5, 6);
    await t.transparency.audit.tick();
    const signed = AuditTlogState.open(t.dataDir).history();
    await rewriteAudit(t.ctx.storage.db, edit);
    await t.transparency.audit.stop();
    // The attacker makes the node's leaf record match the rewritten database.
    const rows = await t.ctx.storage.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    writeFileSync(join(record(), 'leaf-hashes'), Buffer.concat(rows.map((r) => leafHash(auditLeaf(r)))));
    const node = new AuditCheckpointer(t.ctx, null);
    try {
      await node.tick();
      const incident = (await tamper()).find((i) => i.tenant_id === null);
      expect(incident?.summary).toMatch(/record in DATA_DIR was rewritten.*does not hash to the checkpoint/);
      await read(a, 7, 8);
      await node.tick();
      // Nothing signed over the rewritten record.
      expect(AuditTlogState.open(t.dataDir).history()).toEqual(signed);
    } finally {
      await node.stop();
    }
  });

  it('refuses to go on when its record in DATA_DIR changes under the running node (an older checkpoint it signed put back)', async () => {
    await read(a, 1, 2);
    await t.transparency.audit.tick();
    const older = AuditTlogState.open(t.dataDir).latest()!;
    await read(a, 3);
    await t.transparency.audit.tick();
    writeFileSync(join(record(), 'checkpoint'), older); // validly signed, by this node, but not its latest
    await read(a, 4);
    await t.transparency.audit.tick();
    expect((await tamper()).find((i) => i.tenant_id === null)?.summary).toMatch(/latest checkpoint file changed under it/);
    const signed = AuditTlogState.open(t.dataDir).history();
    await read(a, 5);
    await t.transparency.audit.tick();
    expect(AuditTlogState.open(t.dataDir).history()).toEqual(signed);
  });

  it('a fresh record over a rewritten database is refused by the witness that cosigned the real one (422), and that is an alarm', async () => {
    const wKey = parseSignerKey(generateSignerKey('witness.test/w', SIG_COSIGNATURE).signerKey);
    const witness = new Witness(noteSigner(wKey.name, SIG_COSIGNATURE, wKey.privateKey), new Map([[t.ctx.env.auditSigningKey.origin, [verifier()]]]), join(t.dataDir, 'witness-state.json'));
    const server = await witness.listen(0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const collector = () => new CosignatureCollector([{ url, vkey: wKey.verifierKey }], t.ctx.log);
    await t.transparency.audit.stop();
    const first = new AuditCheckpointer(t.ctx, collector());
    let second: AuditCheckpointer | null = null;
    try {
      await read(a, 1, 2, 3, 4, 5, 6);
      await first.tick();
      expect(witness.readState().logs[t.ctx.env.auditSigningKey.origin]?.size).toBeGreaterThan(0);
      await first.stop();
      // The attacker rewrites the database and wipes the node's record: the node starts a fresh one.
      await rewriteAudit(t.ctx.storage.db, (rows) => rows.map((r) => (r.resource_id === 'conv_3' ? { ...r, actor_id: 'agt_innocent' } : r)));
      rmSync(record(), { recursive: true, force: true });
      const errors = vi.spyOn(t.ctx.log, 'error');
      second = new AuditCheckpointer(t.ctx, collector());
      await second.tick();
      expect((await tamper()).find((i) => i.tenant_id === null)?.summary).toMatch(/witness refused.*422/i);
      expect(errors).toHaveBeenCalledWith(expect.objectContaining({ auditAlarm: expect.objectContaining({ summary: expect.stringMatching(/witness refused/i) }) }), 'access audit tamper');
      expect(readFileSync(join(record(), ALARMS_FILE), 'utf8')).toMatch(/witness refused/i);
      const size = AuditTlogState.open(t.dataDir).history().length;
      await read(a, 7);
      await second.tick();
      expect(AuditTlogState.open(t.dataDir).history().length).toBe(size); // refuses to sign on
    } finally {
      await second?.stop();
      await first.stop();
      server.close();
    }
  });

  it('keeps the alarm outside the database: the node log, DATA_DIR and the incident webhook; a deleted incident comes back', async () => {
    const { newId } = await import('./ids.js');
    await t.ctx.storage.db.insertInto('webhooks').values({ id: newId('whk'), tenant_id: a.id, url: 'http://127.0.0.1:9/hook', secret: 'x'.repeat(32), events: JSON.stringify(['security.incident']), created_at: Date.now(), disabled_at: null }).execute();
    const errors = vi.spyOn(t.ctx.log, 'error');
    await read(a, 1, 2, 3);
    await t.transparency.audit.tick();
    await read(a, 4, 5);
    const victim = await seqOf('conv_4');
    await rewriteAudit(t.ctx.storage.db, (rows) => rows.filter((r) => r.resource_id !== 'conv_4'));
    await t.transparency.audit.tick();
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ auditAlarm: expect.objectContaining({ entries: expect.arrayContaining([{ seq: victim, problem: 'changed' }]) }) }), 'access audit tamper');
    const deliveries = await t.ctx.storage.db.selectFrom('webhook_deliveries').select('payload').where('tenant_id', '=', a.id).execute();
    expect(deliveries.some((d) => d.payload.includes('audit.tamper'))).toBe(true);
    // The attacker deletes the incidents (and their deliveries): the alarm stays in DATA_DIR.
    await t.ctx.storage.db.deleteFrom('incidents').execute();
    await t.ctx.storage.db.deleteFrom('webhook_deliveries').execute();
    const alarms = readFileSync(join(record(), ALARMS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(alarms).toContainEqual(expect.objectContaining({ summary: expect.stringContaining(`entry ${victim} was changed`) }));
    // And the condition is checked again: the incident is raised again.
    await t.transparency.audit.tick();
    expect((await tamper()).length).toBeGreaterThan(0);
  });

  it('tells each tenant whose entries were touched, in its own incident naming them; the platform incident names entry numbers only', async () => {
    await read(a, 1, 2);
    await read(b, 3, 4);
    await t.transparency.audit.tick();
    await read(a, 5);
    await read(b, 6);
    await read(a, 7);
    const victim = await seqOf('conv_5');
    await rewriteAudit(t.ctx.storage.db, (rows) => rows.filter((r) => r.resource_id !== 'conv_5'));
    await t.transparency.audit.tick();
    const incidents = await tamper();
    const mine = incidents.filter((i) => i.tenant_id === a.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.summary).toContain(`${victim} (`);
    expect(JSON.parse(mine[0]!.details).entries).toContainEqual({ seq: victim, problem: 'changed' });
    // Renumbered by the deletion: b's entry now holds a's next one; b is told of its own entry, by number, and of nothing of a's.
    const theirs = incidents.filter((i) => i.tenant_id === b.id);
    expect(theirs).toHaveLength(1);
    expect(JSON.parse(theirs[0]!.details).entries).toEqual([{ seq: victim + 1, problem: 'changed' }]);
    expect(JSON.parse(mine[0]!.details).entries).toEqual([{ seq: victim, problem: 'changed' }, { seq: victim + 2, problem: 'missing' }]);
    const platform = incidents.find((i) => i.tenant_id === null)!;
    expect(platform.details).not.toMatch(/vis_|conv_|ten_/);
    expect(JSON.parse(platform.details).findings.every((f: object) => Object.keys(f).sort().join() === 'problem,seq')).toBe(true);
  });

  it('remembers whose each checkpointed entry was: deleted, or moved to another tenant in the database, its tenant is told', async () => {
    await read(a, 1);
    await read(b, 2, 3);
    await read(a, 4);
    await t.transparency.audit.tick();
    const moved = await seqOf('conv_2');
    const gone = await seqOf('conv_3');
    // b's first entry now says it was a's (nothing else changed), b's second is deleted from the tail side: every hash recomputed.
    await rewriteAudit(t.ctx.storage.db, (rows) => rows.filter((r) => r.resource_id !== 'conv_3' && r.resource_id !== 'conv_4').map((r) => (r.resource_id === 'conv_2' ? { ...r, tenant_id: a.id } : r)));
    await t.transparency.audit.tick();
    const theirs = (await tamper()).filter((i) => i.tenant_id === b.id);
    expect(theirs).toHaveLength(1);
    expect(JSON.parse(theirs[0]!.details).entries).toEqual([{ seq: moved, problem: 'changed' }, { seq: gone, problem: 'missing' }]);
  });

  it('a process that does not own the DATA_DIR record (another live one does) still compares what it wrote with the database', async () => {
    writeFileSync(join(record(), 'owner'), String(process.ppid)); // a live other process keeps the record
    await read(a, 1, 2, 3);
    const victim = await seqOf('conv_2');
    await rewriteAudit(t.ctx.storage.db, (rows) => rows.map((r) => (r.resource_id === 'conv_2' ? { ...r, credential: 'session:innocent' } : r)));
    await t.transparency.audit.tick();
    expect(AuditTlogState.open(t.dataDir).history()).toEqual([]); // it signed nothing: not its record
    expect((await tamper()).find((i) => i.tenant_id === null)!.summary).toContain(`entry ${victim} was changed`);
    rmSync(join(record(), 'owner'));
  });

  it('the written record survives a restart of the node: entries acknowledged before it, rewritten meanwhile, are found', async () => {
    await read(a, 1, 2);
    await t.transparency.audit.tick();
    await read(a, 3, 4);
    const victim = await seqOf('conv_3');
    // The node stops before its next pass; the attacker rewrites meanwhile.
    await t.transparency.audit.stop();
    expect(existsSync(join(record(), 'written', String(process.pid)))).toBe(true);
    await rewriteAudit(t.ctx.storage.db, (rows) => rows.map((r) => (r.resource_id === 'conv_3' ? { ...r, address: '198.51.100.1' } : r)));
    const node = new AuditCheckpointer(t.ctx, null);
    try {
      await node.tick();
      expect((await tamper()).find((i) => i.tenant_id === null)!.summary).toContain(`entry ${victim} was changed`);
    } finally {
      await node.stop();
    }
  });
});
