/**
 * Live deliveries fail closed (docs/SECURITY.md, *Access audit*): a frame carrying a conversation's
 * data is not written to a socket before that socket's audit entry for the conversation is durable;
 * an entry that cannot be written means no frame and a 1011 close (the client resumes by seq); a
 * conversation's frames keep their order while its first waits for its entry, and other
 * conversations' frames are not held up by it. For an agent socket and for a
 * verified shopper's other device. The audit writer is held or failed by the test itself
 * (testing/auditFaults.ts), and the frames are caught at the server socket's `send`, so "durable
 * before sent" is checked at the instant each frame leaves.
 */
import { describe, expect, it, vi } from 'vitest';
// First: the mock below uses it, and the modules after it load security/auditLog.js.
import { auditFaults, withAuditFaults } from '../testing/auditFaults.js';
import { createMessage } from '../commands/messageCreator.js';
import { liveAuditFixture, seedCustomer, type SeedCtx } from '../testing/auditSeed.js';
import { visitorSession, type TestParley } from '../testing/testParley.js';
import type { Tenant } from '../storage/schema.js';
import { AgentConnection } from './agentConnection.js';
import { VisitorConnection } from './visitorConnection.js';

vi.mock('../security/auditLog.js', async (real) => withAuditFaults(await real<typeof import('../security/auditLog.js')>()));

/** A frame written by the server to the socket under test, and whether its conversation's entry was durable at that instant. */
interface Sent { frame: Record<string, any>; conversationId: string | null; durable: boolean }

const conversationOf = (f: Record<string, any>): string | null => (f.type === 'message' ? f.message.conversationId : f.type === 'conversation' ? f.conversation.id : null);

describe('live deliveries are recorded before they are sent, or not sent', () => {
  let t: TestParley;
  let tenant: Tenant;
  let seed: SeedCtx;
  let key: { token: string; id: string };
  const open = liveAuditFixture((live) => ({ t, tenant, seed, key } = live), {
    before: () => {
      auditFaults.reset();
      auditFaults.actions.add('conversation.live');
    },
    after: () => auditFaults.reset(),
  });

  /** Catches every frame the server writes to `conn`'s socket, noting whether the socket's entry for its conversation was durable then. */
  function intercept(conn: AgentConnection | VisitorConnection, credential: string): Sent[] {
    const sent: Sent[] = [];
    const ws = (conn as unknown as { ws: { send(data: string): void } }).ws;
    const send = ws.send.bind(ws);
    ws.send = (data: string) => {
      const frame = JSON.parse(data) as Record<string, any>;
      const conversationId = conversationOf(frame);
      sent.push({ frame, conversationId, durable: conversationId === null || auditFaults.isDurable(credential, conversationId) });
      send(data);
    };
    return sent;
  }
  const agentConn = () => [...t.gateway.rooms.all()].find((c): c is AgentConnection => c instanceof AgentConnection)!;
  const visitorConn = (visitorId: string) => [...t.gateway.rooms.all()].find((c): c is VisitorConnection => c instanceof VisitorConnection && c.visitorId === visitorId)!;

  /** Waits until `n` watched audit appends have started (each live delivery's entry reached the writer). */
  async function appendsStarted(n: number): Promise<void> {
    for (let i = 0; auditFaults.started < n; i++) {
      if (i > 200) throw new Error(`only ${auditFaults.started} of ${n} audit appends started`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const within = <T>(p: Promise<T>, ms = 5000): Promise<T | 'timeout'> => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

  async function agentSocket() {
    const socket = await open('/ws/agent', { apiKey: key.token });
    socket.send({ type: 'hello' });
    await socket.next('ready');
    return { socket, sent: intercept(agentConn(), `key:${key.id}`) };
  }
  const newCustomer = async () => {
    const v = await visitorSession(t, tenant);
    return { ...v, say: async (body: string) => (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: v.visitorId }, { clientId: `c${Math.random()}`, body })).message };
  };

  it("an agent socket: the first frame of a conversation leaves only after the socket's entry is durable", async () => {
    const { socket, sent } = await agentSocket();
    const v = await newCustomer();
    const openGate = auditFaults.hold();
    const m = await v.say('first words');
    await appendsStarted(1);
    // The entry is being written: nothing about the conversation has left.
    expect(sent.filter((s) => s.conversationId === m.conversationId)).toEqual([]);
    openGate();
    await socket.next((f) => f.type === 'message' && f.message.id === m.id);
    const about = sent.filter((s) => s.conversationId === m.conversationId);
    expect(about.length).toBeGreaterThan(0);
    expect(about.filter((s) => !s.durable)).toEqual([]);
    const entries = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'conversation.live').where('conversation_id', '=', m.conversationId).execute();
    expect(entries.map((e) => e.credential)).toEqual([`key:${key.id}`]);
  });

  it('an agent socket: an entry that cannot be written means no frame and a 1011 close; the client resumes by seq', async () => {
    const { socket, sent } = await agentSocket();
    const v = await newCustomer();
    auditFaults.fail = true;
    const m = await v.say('unrecorded words');
    expect(await within(socket.closed)).toMatchObject({ code: 1011 });
    expect(sent.filter((s) => s.conversationId === m.conversationId)).toEqual([]);
    expect(socket.frames.filter((f) => JSON.stringify(f).includes('unrecorded words'))).toEqual([]);
    // Nothing lost: the audit back, the client reconnects and resumes; the resume is recorded first (messages.read).
    auditFaults.fail = false;
    const again = await open('/ws/agent', { apiKey: key.token });
    again.send({ type: 'hello', lastSeqs: { [m.conversationId]: 0 } });
    expect((await again.next('ready')).messages.map((x: { id: string }) => x.id)).toContain(m.id);
  });

  it("an agent socket keeps each conversation's frames in order while it waits for its entry, and does not hold up the others (interleaved conversations)", async () => {
    const { socket, sent } = await agentSocket();
    const [a, b, c] = [await newCustomer(), await newCustomer(), await newCustomer()];
    const a0 = await a.say('a0'); // A is recorded on this socket before the interleaving starts
    await socket.next((f) => f.type === 'message' && f.message.id === a0.id);
    const before = auditFaults.started;
    const openGate = auditFaults.hold();
    const said: Record<string, string> = {};
    for (const [who, body] of [[b, 'b1'], [a, 'a1'], [c, 'c1'], [a, 'a2'], [b, 'b2']] as const) said[body] = (await who.say(body)).id;
    await appendsStarted(before + 2); // B's and C's entries are being written
    const leftOf = (...bodies: string[]) => sent.filter((s) => s.frame.type === 'message' && bodies.some((x) => said[x] === s.frame.message.id)).map((s) => s.frame.message.body as string);
    // A, recorded, is not held up by B and C; B's second message does not overtake its first, held.
    await socket.next((f) => f.type === 'message' && f.message.id === said.a2);
    expect(leftOf('a1', 'a2', 'b1', 'b2', 'c1')).toEqual(['a1', 'a2']);
    openGate();
    await socket.next((f) => f.type === 'message' && f.message.id === said.b2);
    await socket.next((f) => f.type === 'message' && f.message.id === said.c1);
    expect(leftOf('b1', 'b2')).toEqual(['b1', 'b2']);
    expect(leftOf('c1')).toEqual(['c1']);
    // Every frame (the new conversations' `conversation` frames too) was durable when it left.
    expect(sent.filter((s) => !s.durable)).toEqual([]);
  });

  it("a shopper's other device: another browser's conversation leaves only after its entry, in order; none without one (1011); its own frames are not held up", async () => {
    const c = await seedCustomer(seed);
    const device = await open('/ws/visitor');
    device.send({ type: 'hello', token: c.device.token });
    await device.next('ready');
    const sent = intercept(visitorConn(c.device.visitorId), 'identity:verified');
    const sayFirst = async (body: string, newConversation = false) => (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: c.visitorId }, { clientId: `f${Math.random()}`, body, newConversation })).message;
    const sayOwn = async (body: string) => (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: c.device.visitorId }, { clientId: `o${Math.random()}`, body })).message;
    const own0 = await sayOwn('my own question');
    await device.next((f) => f.type === 'message' && f.message.id === own0.id);

    // The first browser starts a new conversation, twice in it, while the device's own one goes on.
    const before = auditFaults.started;
    const openGate = auditFaults.hold();
    const other = await sayFirst('from the other browser', true);
    const other2 = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: c.visitorId }, { clientId: `f${Math.random()}`, body: 'and again', conversationId: other.conversationId })).message;
    const own1 = await sayOwn('my own follow-up');
    await appendsStarted(before + 1);
    await device.next((f) => f.type === 'message' && f.message.id === own1.id); // its own: not held up
    expect(sent.filter((s) => s.conversationId === other.conversationId)).toEqual([]);
    openGate();
    await device.next((f) => f.type === 'message' && f.message.id === other2.id);
    expect(sent.filter((s) => s.frame.type === 'message' && s.conversationId === other.conversationId).map((s) => s.frame.message.id)).toEqual([other.id, other2.id]);
    expect(auditFaults.isDurable('identity:verified', other.conversationId, c.visitorId)).toBe(true);
    expect(sent.filter((s) => s.conversationId === other.conversationId && !s.durable)).toEqual([]);

    // Another new conversation of the first browser, its entry failing: not sent, the device closed 1011.
    auditFaults.fail = true;
    const unrecorded = await sayFirst('never unrecorded', true);
    expect(await within(device.closed)).toMatchObject({ code: 1011 });
    expect(sent.filter((s) => s.conversationId === unrecorded.conversationId)).toEqual([]);
  });
});
