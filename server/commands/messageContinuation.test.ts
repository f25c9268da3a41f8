import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, visitorSession, TestSocket, type TestParley } from '../testing/testParley.js';
import { createMessage } from './messageCreator.js';
import { messagesAfter } from '../queries/messageQueries.js';
import { holdsCardDigits } from '../../protocol/redactionCorpus.js';
import type { Tenant } from '../storage/schema.js';

describe('a card typed over several messages', () => {
  let t: TestParley;
  let tenant: Tenant;
  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const stored = async (conversationId: string) => (await messagesAfter(t.ctx, tenant.id, conversationId, 0, { includeInternal: true })).items.map((m) => m.body);

  it('masks every part, in the database and on the agent’s screen, even when a node restarted in between', async () => {
    const v = await visitorSession(t, tenant);
    const visitor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId: v.visitorId };
    const first = await createMessage(t.ctx, visitor, { clientId: 'p1', body: 'my card: 4242 4242' });
    const conversationId = first.message.conversationId;
    // Another node (same database) takes the rest: the earlier part is read from storage.
    const t2 = await t.restart();
    await t.close();
    t = t2;
    const agent = await login(t, await makeAgent(t, tenant));
    const console = await TestSocket.open(t, '/ws/agent', { cookie: agent.cookie });
    console.send({ type: 'hello' });
    await console.next('ready');
    await createMessage(t.ctx, visitor, { clientId: 'p2', body: '4242' });
    const last = await createMessage(t.ctx, visitor, { clientId: 'p3', body: '4242 exp 12/27 thanks' });
    expect(last.message.body).toBe('[card •••• 4242] exp [exp ••/••] thanks');
    const bodies = await stored(conversationId);
    expect(bodies).toEqual(['my card: [card ••••]', '[card ••••]', '[card •••• 4242] exp [exp ••/••] thanks']);
    expect(holdsCardDigits(bodies.join('\n'), '4242424242424242', 12)).toBe(false);
    // The console replaces the earlier messages (same id, masked body).
    const replaced = await console.next((f) => f.type === 'message' && f.message.id === first.message.id && f.message.body === 'my card: [card ••••]');
    expect(replaced.message.seq).toBe(first.message.seq);
    console.close();
  });

  it('joins the author’s own messages across others’ replies, and leaves numbers that are no card alone', async () => {
    const v = await visitorSession(t, tenant);
    const visitor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId: v.visitorId };
    const { message } = await createMessage(t.ctx, visitor, { clientId: 'q1', body: 'card 4242 4242' });
    const agent = await makeAgent(t, tenant);
    await createMessage(t.ctx, { kind: 'agent', tenantId: tenant.id, agent }, { clientId: 'q2', conversationId: message.conversationId, body: '4242 4242 is not yours to type' });
    await createMessage(t.ctx, visitor, { clientId: 'q3', body: '4242 4242' });
    await createMessage(t.ctx, visitor, { clientId: 'q4', body: 'order 1234 5678' });
    await createMessage(t.ctx, visitor, { clientId: 'q5', body: '9012 3456' });
    expect(await stored(message.conversationId)).toEqual(['card [card ••••]', '4242 4242 is not yours to type', '[card •••• 4242]', 'order 1234 5678', '9012 3456']);
  });

  it('an agent’s card split over two replies is masked too', async () => {
    const v = await visitorSession(t, tenant);
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: v.visitorId }, { clientId: 'r1', body: 'hello' });
    const agent = { kind: 'agent' as const, tenantId: tenant.id, agent: await makeAgent(t, tenant) };
    await createMessage(t.ctx, agent, { clientId: 'r2', conversationId: message.conversationId, body: 'is it 5555 5555 5555' });
    await createMessage(t.ctx, agent, { clientId: 'r3', conversationId: message.conversationId, body: '4444?' });
    expect(await stored(message.conversationId)).toEqual(['hello', 'is it [card ••••]', '[card •••• 4444]?']);
  });
});

describe('a card whose later part the frame masked already', () => {
  let t: TestParley;
  let tenant: Tenant;
  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('masks the earlier digits when they can begin a card, and leaves other numbers', async () => {
    const v = await visitorSession(t, tenant);
    const visitor = { kind: 'visitor' as const, tenantId: tenant.id, visitorId: v.visitorId };
    const { message } = await createMessage(t.ctx, visitor, { clientId: 's1', body: 'the amex: 3782 822463' });
    // What the frame sends for "10005 thanks" (protocol/redaction.ts joined it with the tail it kept).
    await createMessage(t.ctx, visitor, { clientId: 's2', body: '[card •••• 0005] thanks' });
    await createMessage(t.ctx, visitor, { clientId: 's3', body: 'room 99' });
    await createMessage(t.ctx, visitor, { clientId: 's4', body: '[card •••• 4242]' });
    const bodies = (await messagesAfter(t.ctx, tenant.id, message.conversationId, 0, { includeInternal: true })).items.map((m) => m.body);
    expect(bodies).toEqual(['the amex: [card ••••]', '[card •••• 0005] thanks', 'room 99', '[card •••• 4242]']);
  });
});
