/**
 * Collision detection and mentions across nodes (issue 20): two nodes on the same PostgreSQL
 * database with Redis between them, as in scale-out. Ana's console is on node A, Ben's on node B:
 * each sees the other in the conversation, and a mention made on A reaches Ben on B.
 * PostgreSQL only (the scale-out path); it needs the machine's Redis on 127.0.0.1:6379.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTestParley, dialectUnderTest, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../testing/testParley.js';
import { createMessage } from '../commands/messageCreator.js';
import { randomToken } from '../security/ids.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.runIf(dialectUnderTest() === 'postgres')('collision detection across nodes (PostgreSQL + Redis)', () => {
  afterAll(dropSchemas);

  it('agents on two nodes see each other in the same conversation, and a mention crosses nodes', async () => {
    const a = await startTestParley({ listen: true, env: { REDIS_URL: REDIS } });
    const b = await startTestParley({ listen: true, env: { REDIS_URL: REDIS }, pgSchema: (await schemaOf(a))! });
    const sockets: TestSocket[] = [];
    try {
      const tenant = await makeTenant(a);
      const suffix = randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
      const ana = await makeAgent(a, tenant);
      const ben = await makeAgent(a, tenant);
      await a.ctx.storage.db.updateTable('agents').set({ email: `ben${suffix}@shop.example` }).where('id', '=', ben.id).execute();
      const open = async (node: TestParley, agent: typeof ana) => {
        const { cookie } = await login(node, agent);
        const ws = await TestSocket.open(node, '/ws/agent', { cookie });
        sockets.push(ws);
        ws.send({ type: 'hello' });
        await ws.next('ready');
        return ws;
      };
      const anaWs = await open(a, ana);
      const benWs = await open(b, { ...ben, email: `ben${suffix}@shop.example` });
      const { visitorId } = await visitorSession(a, tenant, { name: 'Grace' });
      const conv = (await createMessage(a.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: 'c1', body: 'hello' })).message.conversationId;

      anaWs.send({ type: 'viewing', conversationId: conv });
      await new Promise((r) => setTimeout(r, 300));
      benWs.send({ type: 'viewing', conversationId: conv });
      // Ben (node B) arriving is seen by Ana (node A), and Ana's console answers so Ben sees her.
      expect(await anaWs.next((f) => f.type === 'activity' && f.agent.id === ben.id, 10_000)).toMatchObject({ state: 'viewing', conversationId: conv });
      expect(await benWs.next((f) => f.type === 'activity' && f.agent.id === ana.id, 10_000)).toMatchObject({ state: 'viewing', conversationId: conv });

      anaWs.send({ type: 'message.send', clientId: 'n1', conversationId: conv, body: `@ben${suffix} please look`, internal: true });
      expect((await benWs.next('mention', 10_000)).mention).toMatchObject({ conversationId: conv, by: { id: ana.id } });
    } finally {
      for (const s of sockets) s.close();
      await cleanupTestParley(b);
      await cleanupTestParley(a);
    }
  });
});

async function schemaOf(t: TestParley): Promise<string | undefined> {
  const { sql } = await import('kysely');
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.ctx.storage.db);
  return rows[0]?.schema;
}
