import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { cleanupTestParley, dropSchemas, startTestParley, type TestParley } from '../testing/testParley.js';
import { appendAudit, verifyAudit, type AuditActor } from './auditLog.js';

const agent: AuditActor = { kind: 'agent', id: 'agt_1', credential: 'session:abcd', address: '203.0.113.7' };

describe('audit chain', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
    for (let i = 1; i <= 10; i++) {
      await appendAudit(t.ctx.storage.db, agent, [{ tenantId: 'ten_a', action: 'conversation.read', resourceType: 'conversation', resourceId: `conv_${i}`, conversationId: `conv_${i}`, visitorId: `vis_${i}` }]);
    }
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('verifies an intact chain, including entries appended concurrently', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendAudit(t.ctx.storage.db, agent, [{ tenantId: 'ten_b', action: 'messages.read', resourceId: `c${i}` }, { tenantId: 'ten_b', action: 'visitor.read', resourceId: `v${i}` }])),
    );
    expect(await verifyAudit(t.ctx.storage.db)).toEqual({ entries: 50, problems: [] });
  });

  it('pinpoints a changed entry', async () => {
    await t.ctx.storage.db.updateTable('audit_log').set({ actor_id: 'agt_innocent' }).where('seq', '=', 4).execute();
    const { problems } = await verifyAudit(t.ctx.storage.db);
    expect(problems).toEqual([{ seq: 4, problem: 'tampered', detail: expect.any(String) }]);
  });

  it('pinpoints a removed entry and a truncated tail', async () => {
    await t.ctx.storage.db.deleteFrom('audit_log').where('seq', '=', 6).execute();
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([{ seq: 6, problem: 'missing', detail: 'entries 6..6 are missing' }]);
    await t.ctx.storage.db.deleteFrom('audit_log').where('seq', '>=', 9).execute();
    expect((await verifyAudit(t.ctx.storage.db)).problems).toContainEqual({ seq: 10, problem: 'missing', detail: 'chain ends at 8 but 10 entries were written' });
  });

  it('detects an entry rewritten with a recomputed hash (the link to the next one breaks)', async () => {
    const db = t.ctx.storage.db;
    const { entryHash } = await import('./auditLog.js');
    const row = await db.selectFrom('audit_log').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
    const { hash: _old, ...rest } = row;
    const forged = { ...rest, address: '198.51.100.1' };
    await db.updateTable('audit_log').set({ address: forged.address, hash: entryHash(forged) }).where('seq', '=', 3).execute();
    expect((await verifyAudit(db)).problems).toEqual([{ seq: 4, problem: 'broken_link', detail: expect.any(String) }]);
  });

  it('is append-only through the API: no code path updates or deletes entries', async () => {
    // A structural guard: the audit table is only ever inserted into by appendAudit.
    const count = await sql<{ n: number }>`select count(*) as n from audit_log`.execute(t.ctx.storage.db);
    expect(Number(count.rows[0]!.n)).toBe(10);
  });
});
