import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { cleanupTestParley, dialectUnderTest, dropSchemas, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import { AppError } from '../errors.js';

// Messages written together (one batch on SQLite's writer thread; concurrent transactions on PostgreSQL).
describe('writing messages together', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('keeps a failing message from taking the others with it, and its error code', async () => {
    const tenant = await makeTenant(t);
    const agent = await makeAgent(t, tenant);
    const visitors = await Promise.all([1, 2, 3].map(() => visitorSession(t, tenant)));
    const first = await Promise.all(visitors.map(({ visitorId }, i) => createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: `v${i}`, body: `hello ${i}` })));
    const [open, closed] = first.map((r) => r.message.conversationId);
    await t.ctx.storage.db.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', closed!).execute();

    const agentActor = { kind: 'agent' as const, tenantId: tenant.id, agent };
    const results = await Promise.allSettled([
      createMessage(t.ctx, agentActor, { clientId: 'a1', conversationId: open, body: 'one' }),
      createMessage(t.ctx, agentActor, { clientId: 'a2', conversationId: closed, body: 'refused' }),
      createMessage(t.ctx, agentActor, { clientId: 'a3', conversationId: 'conv_does_not_exist', body: 'refused too' }),
      createMessage(t.ctx, agentActor, { clientId: 'a4', conversationId: open, body: 'two' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const error = (i: number) => (results[i] as PromiseRejectedResult).reason as unknown;
    expect(error(1)).toBeInstanceOf(AppError);
    expect((error(1) as AppError).code).toBe('conversation_closed');
    expect((error(2) as AppError).code).toBe('not_found');
    const rows = await t.ctx.storage.db.selectFrom('messages').select(['conversation_id', 'seq', 'client_id']).where('tenant_id', '=', tenant.id).orderBy('seq').execute();
    // Sent concurrently, the two replies may take seq 2 and 3 in either order (PostgreSQL: two connections).
    const inOpen = rows.filter((r) => r.conversation_id === open);
    expect(inOpen.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(inOpen.map((r) => r.client_id).sort()).toEqual(['a1', 'a4', 'v0']);
    expect(rows.filter((r) => r.conversation_id === closed)).toHaveLength(1);
  });

  it('stores a retry sent with its original once, without using up a seq', async () => {
    const tenant = await makeTenant(t);
    const { visitorId } = await visitorSession(t, tenant);
    const actor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId };
    await createMessage(t.ctx, actor, { clientId: 'c0', body: 'first' });
    const [a, b, c] = await Promise.all([
      createMessage(t.ctx, actor, { clientId: 'c1', body: 'again' }),
      createMessage(t.ctx, actor, { clientId: 'c1', body: 'again' }),
      createMessage(t.ctx, actor, { clientId: 'c2', body: 'next' }),
    ]);
    // Either copy may be the one stored (PostgreSQL: two connections race); the other gets it back.
    expect([a!.duplicate, b!.duplicate].sort()).toEqual([false, true]);
    expect(b!.message.id).toBe(a!.message.id);
    expect([a!.message.seq, c!.message.seq].sort()).toEqual([2, 3]);
    const conv = await t.ctx.storage.db.selectFrom('conversations').select(['last_seq']).where('id', '=', a!.message.conversationId).executeTakeFirstOrThrow();
    expect(conv.last_seq).toBe(3);
  });

  it.runIf(dialectUnderTest() === 'sqlite')('runs the event loop’s own writes beside the writer thread’s batches', async () => {
    const tenant = await makeTenant(t);
    const visitors = await Promise.all(Array.from({ length: 20 }, () => visitorSession(t, tenant)));
    const db = t.ctx.storage.db;
    // Messages (writer thread), single row changes (sent to the writer thread) and transactions
    // (which pause it) all at once: every one completes, nothing waits on SQLite's lock.
    const work = visitors.flatMap(({ visitorId }, i) => [
      createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: `m${i}`, body: `message ${i}` }),
      db.updateTable('visitors').set({ last_seen_at: i }).where('id', '=', visitorId).execute(),
      db.transaction().execute(async (trx) => {
        await trx.updateTable('visitors').set({ last_seen_at: 1000 + i }).where('id', '=', visitorId).execute();
        return trx.selectFrom('visitors').select('last_seen_at').where('id', '=', visitorId).executeTakeFirstOrThrow();
      }),
    ]);
    await Promise.all(work);
    const counted = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(20);
    // A row change done by the thread reports what it changed, and a duplicate key is still recognisable.
    const updated = await db.updateTable('visitors').set({ last_seen_at: 7 }).where('tenant_id', '=', tenant.id).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(20n);
    const dup = await db.insertInto('tenants').values({ ...(await db.selectFrom('tenants').selectAll().where('id', '=', tenant.id).executeTakeFirstOrThrow()) }).execute().catch((e: unknown) => e);
    expect(t.ctx.storage.isUniqueViolation(dup)).toBe(true);
    // Reads see every committed write at once.
    const { rows } = await sql<{ n: number }>`select count(*) as n from visitors where tenant_id = ${tenant.id} and last_seen_at = 7`.execute(db);
    expect(Number(rows[0]!.n)).toBe(20);
  });

  it.runIf(dialectUnderTest() === 'sqlite')('starts a new writer thread when the old one died, and loses nothing it had committed', async () => {
    const tenant = await makeTenant(t);
    const { visitorId } = await visitorSession(t, tenant);
    const actor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId };
    const before = await createMessage(t.ctx, actor, { clientId: 'c1', body: 'before' });
    const thread = (t.ctx.storage.writer as unknown as { thread: { terminate(): Promise<number> } | null }).thread;
    expect(thread).not.toBeNull();
    // Killed with a unit in flight: that unit fails (it was never acknowledged) or was committed, never neither.
    const inFlight = createMessage(t.ctx, actor, { clientId: 'c2', body: 'in flight' }).then(
      (r) => r.message.seq,
      (err: Error) => err.message,
    );
    await thread!.terminate();
    const outcome = await inFlight;
    const after = await createMessage(t.ctx, actor, { clientId: 'c3', body: 'after' });
    const stored = await t.ctx.storage.db.selectFrom('messages').select(['client_id', 'seq']).where('conversation_id', '=', before.message.conversationId).orderBy('seq').execute();
    if (typeof outcome === 'number') expect(stored.map((r) => r.client_id)).toEqual(['c1', 'c2', 'c3']);
    else {
      expect(outcome).toMatch(/writer thread/);
      expect(stored.map((r) => r.client_id)).toEqual(['c1', 'c3']);
    }
    expect(after.message.seq).toBe(stored.length);
  });
});
