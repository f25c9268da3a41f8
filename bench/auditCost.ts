/**
 * Cost of the access audit per logged access, before and after the audit Merkle log (issue 16):
 * the append path (one chained INSERT per access, batched while busy) is what every read pays; the
 * Merkle log adds the checkpointer's batch work (read back, hash the leaf, record it, re-check a
 * sweep window, sign) per entry, off the request path. Same run, same database, both dialects.
 *   npx tsx bench/auditCost.ts [entries=20000]
 * PARLEY_TEST_DB=postgres for PostgreSQL (the machine's local server, its own schema).
 * Since the written record (auditWritten.ts), each committed group also hashes its entries' leaves and
 * appends them to DATA_DIR/audit-tlog/written/<pid>: measured alone (µs per entry, groups of 1, 10
 * and 100 entries) and end to end (appends with the record, then with it detached).
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit, entryBytes, type AuditActor } from '../server/security/auditLog.js';
import { WrittenRecord } from '../server/security/auditWritten.js';
import { leafHash } from '../server/security/tlog/merkle.js';
import { cleanupTestParley, dropSchemas, startTestParley } from '../server/testing/testParley.js';

const N = Number(process.argv[2] ?? 20_000);
const actor: AuditActor = { kind: 'agent', id: 'agt_bench', credential: 'session:0123456789abcdef', address: '203.0.113.9' };

async function appendMany(t: Awaited<ReturnType<typeof startTestParley>>, n: number, concurrency = 50): Promise<number> {
  const db = t.ctx.storage.db;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await appendAudit(db, actor, [{ tenantId: 'ten_bench', action: 'conversation.read', resourceType: 'conversation', resourceId: `conv_${i}`, conversationId: `conv_${i}`, visitorId: `vis_${i}` }]);
      }
    }),
  );
  return ((performance.now() - start) * 1000) / n;
}

/** The append path's share: leaf hash of each entry's bytes + record() (Map + one file append per group). */
function writtenRecordUsPerEntry(group: number, total = 20_000): number {
  const dir = mkdtempSync(join(tmpdir(), 'parley-written-'));
  try {
    const rec = new WrittenRecord(dir, console);
    let seq = 0;
    const start = performance.now();
    for (let g = 0; g < total / group; g++) {
      const leaves = [];
      for (let i = 0; i < group; i++) {
        seq++;
        const bytes = entryBytes({ seq, at: Date.now(), tenant_id: 'ten_bench0123456789', actor_kind: 'agent', actor_id: 'agt_bench', credential: actor.credential, address: actor.address, action: 'conversation.read', resource_type: 'conversation', resource_id: `conv_${seq}`, conversation_id: `conv_${seq}`, visitor_id: `vis_${seq}`, details: null, prev_hash: 'f'.repeat(64) });
        leaves.push({ seq, leaf: leafHash(Buffer.from(bytes)), tenantId: 'ten_bench0123456789' });
      }
      rec.record(leaves);
    }
    return ((performance.now() - start) * 1000) / total;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const t = await startTestParley();
try {
  await appendMany(t, 2000); // warm-up
  await t.transparency.audit.tick();
  const before = await appendMany(t, N);
  const start = performance.now();
  await t.transparency.audit.tick(); // N new leaves + one sweep window + a signed checkpoint
  const checkpointPerEntry = ((performance.now() - start) * 1000) / N;
  // Appends while the checkpointer runs every second (ten times the default rate of one pass per 10 s).
  const timer = setInterval(() => void t.transparency.audit.tick(), 1000);
  const during = await appendMany(t, N);
  clearInterval(timer);
  await t.transparency.audit.tick();
  const withRecord = await appendMany(t, N);
  await t.transparency.audit.stop(); // detaches the written record
  const withoutRecord = await appendMany(t, N);
  const written = Object.fromEntries([1, 10, 100].map((g) => [`group${g}`, Number(writtenRecordUsPerEntry(g).toFixed(2))]));
  console.log(
    JSON.stringify({
      dialect: t.ctx.storage.dialect,
      entries: N,
      appendUsPerAccess: Number(before.toFixed(1)),
      appendUsPerAccessWhileCheckpointing: Number(during.toFixed(1)),
      checkpointerUsPerEntry: Number(checkpointPerEntry.toFixed(1)),
      appendUsWithWrittenRecord: Number(withRecord.toFixed(1)),
      appendUsWithoutWrittenRecord: Number(withoutRecord.toFixed(1)),
      writtenRecordUsPerEntry: written,
    }),
  );
} finally {
  await cleanupTestParley(t);
  await dropSchemas();
}
