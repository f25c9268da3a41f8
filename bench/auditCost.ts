/**
 * Cost of the access audit per logged access, before and after the audit Merkle log (issue 16):
 * the append path (one chained INSERT per access, batched while busy) is what every read pays; the
 * Merkle log adds the checkpointer's batch work (read back, hash the leaf, record it, re-check a
 * sweep window, sign) per entry, off the request path. Same run, same database, both dialects.
 *   npx tsx bench/auditCost.ts [entries=20000]
 * PARLEY_TEST_DB=postgres for PostgreSQL (the machine's local server, its own schema).
 */
import { performance } from 'node:perf_hooks';
import { appendAudit, type AuditActor } from '../server/security/auditLog.js';
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
  console.log(
    JSON.stringify({
      dialect: t.ctx.storage.dialect,
      entries: N,
      appendUsPerAccess: Number(before.toFixed(1)),
      appendUsPerAccessWhileCheckpointing: Number(during.toFixed(1)),
      checkpointerUsPerEntry: Number(checkpointPerEntry.toFixed(1)),
    }),
  );
} finally {
  await cleanupTestParley(t);
  await dropSchemas();
}
