/**
 * The access audit on the live paths (docs/SECURITY.md, *Access audit*), which the OpenAPI
 * enumeration of auditAsEnforced.test.ts does not call: the agent socket (resume on hello, history,
 * live deliveries) and a verified shopper's other device on the visitor socket (issue 20: its `ready`
 * lists the contact's conversations of every browser, history and live messages follow). Every frame
 * received is searched for the seeded customer's markers, whatever its type, and each kind found must
 * be named by an entry of the socket's own credential. The customer's own browser reading its own
 * conversation is not recorded (by decision: see VisitorConnection.seenOthers), and that is checked too.
 */
import { describe, expect, it } from 'vitest';
import { createMessage } from '../../commands/messageCreator.js';
import { liveAuditFixture, seedCustomer, type Customer, type MarkerKind, type SeedCtx } from '../../testing/auditSeed.js';
import type { TestParley } from '../../testing/testParley.js';
import type { AuditEntry, Tenant } from '../../storage/schema.js';

describe('live reads of a customer\'s data are in the access audit', () => {
  let t: TestParley;
  let tenant: Tenant;
  let seed: SeedCtx;
  let key: { token: string; id: string };
  const open = liveAuditFixture((live) => ({ t, tenant, seed, key } = live));

  /** The kinds of the customer's data in frames received so far. */
  const kindsIn = (frames: object[], c: Customer) => {
    const text = JSON.stringify(frames);
    return new Set([...c.markers].filter(([m]) => text.includes(m)).map(([, k]) => k));
  };
  const names = (e: AuditEntry, kind: MarkerKind, c: Customer) => (kind === 'conversation' ? e.conversation_id === c.conversationId : e.visitor_id === c.visitorId);
  /**
   * The kinds no entry of the credential names yet, read once when the frame has arrived: every
   * frame leaves only after its entry is durable (HTTP-like reads and live deliveries alike;
   * realtime/auditFailClosed.test.ts checks the latter at the instant of sending), so there is
   * nothing to wait for.
   */
  async function unrecorded(kinds: Set<MarkerKind>, c: Customer, mine: (e: AuditEntry) => boolean): Promise<MarkerKind[]> {
    const entries = (await t.ctx.storage.db.selectFrom('audit_log').selectAll().execute()).filter(mine);
    return [...kinds].filter((k) => !entries.some((e) => names(e, k, c)));
  }
  const says = (c: Customer, body: string) => createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: c.visitorId }, { clientId: `live${Math.random()}`, body });

  it('an agent socket: resume on hello, history and live deliveries name the conversation and visitor they carry', async () => {
    const c = await seedCustomer(seed);
    const socket = await open('/ws/agent', { apiKey: key.token });
    const byKey = (e: AuditEntry) => e.credential === `key:${key.id}`;
    socket.send({ type: 'hello', lastSeqs: { [c.conversationId]: 0 } });
    const ready = await socket.next('ready');
    expect(kindsIn([ready], c)).toContain('conversation');
    expect(await unrecorded(kindsIn([ready], c), c, byKey)).toEqual([]);

    const c2 = await seedCustomer(seed);
    socket.send({ type: 'history', conversationId: c2.conversationId, afterSeq: 0 });
    const history = await socket.next('history');
    expect(kindsIn([history], c2)).toContain('conversation');
    expect(await unrecorded(kindsIn([history], c2), c2, byKey)).toEqual([]);

    // Live: a third customer writes; everything the socket then receives about them is recorded.
    const c3 = await seedCustomer(seed);
    await says(c3, `still ${[...c3.markers.keys()].find((m) => m.startsWith('zqmsg'))}`);
    await socket.next((f) => f.type === 'message' && JSON.stringify(f).includes(c3.conversationId));
    const kinds = kindsIn(socket.frames, c3);
    expect(kinds).toContain('conversation');
    expect(await unrecorded(kinds, c3, byKey)).toEqual([]);
  });

  it("a verified shopper's other device: the first browser's conversations it reads (ready, history, live) are recorded as that device's; a browser's own are not", async () => {
    const c = await seedCustomer(seed);
    const byDevice = (e: AuditEntry) => e.actor_kind === 'visitor' && e.actor_id === c.device.visitorId;
    const device = await open('/ws/visitor');
    device.send({ type: 'hello', token: c.device.token });
    const ready = await device.next('ready');
    expect(kindsIn([ready], c)).toContain('conversation');
    expect(await unrecorded(kindsIn([ready], c), c, byDevice)).toEqual([]);
    device.send({ type: 'history', conversationId: c.conversationId, afterSeq: 0 });
    const history = await device.next('history');
    expect(kindsIn([history], c)).toContain('conversation');
    const reads = (await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'messages.read').execute()).filter(byDevice);
    expect(reads.map((e) => e.conversation_id)).toEqual([c.conversationId]);

    // Live: the first browser starts another conversation; its first delivery to the device is recorded.
    const next = (await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: c.visitorId }, { clientId: 'second', body: 'another question', newConversation: true })).message.conversationId;
    expect(next).not.toBe(c.conversationId);
    await device.next((f) => f.type === 'message' && f.message.conversationId === next);
    expect(await unrecorded(new Set(['conversation']), { ...c, conversationId: next }, byDevice)).toEqual([]);

    // The customer's own browser reading its own conversation: nothing recorded in its name.
    const own = await open('/ws/visitor');
    own.send({ type: 'hello', token: c.token });
    expect(kindsIn([await own.next('ready')], c)).toContain('conversation');
    expect((await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('actor_id', '=', c.visitorId).execute()).filter((e) => e.actor_kind === 'visitor' && !e.action.startsWith('contact.'))).toEqual([]);
  });
});
