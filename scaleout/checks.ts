/** The delivery guarantee, checked from the database and from what every client saw. */
import { expect } from 'vitest';
import type { Storage } from '../server/storage/db.js';
import type { ProtoClient } from './protoClient.js';
import { waitFor } from './harness.js';

export async function drained(clients: ProtoClient[], ms = 30_000): Promise<void> {
  await waitFor(
    `every send acknowledged (pending: ${clients.reduce((n, c) => n + c.outbox.size, 0)})`,
    () => clients.every((c) => c.outbox.size === 0),
    ms,
  ).catch((err) => {
    const pending = clients.filter((c) => c.outbox.size).map((c) => `${c.name}: ${[...c.outbox.keys()].slice(0, 5).join(',')} errors=${JSON.stringify(c.errors.slice(-3))}`);
    throw new Error(`${(err as Error).message}\n${pending.join('\n')}`);
  });
}

export interface Verified {
  stored: number;
  sent: number;
  acked: number;
}

/**
 * - every send from every client was acknowledged and is stored exactly once (by clientId);
 * - every ack names the stored row; seqs are 1..n with no gap or repeat in every conversation;
 * - every receiver saw every stored message it should, and never two ids in one (conversation, seq).
 */
export async function verifyDelivery(storage: Storage, tenantId: string, senders: ProtoClient[], agents: ProtoClient[], visitors: ProtoClient[]): Promise<Verified> {
  const db = storage.db;
  const rows = await db.selectFrom('messages').select(['id', 'conversation_id', 'seq', 'client_id', 'author_kind', 'author_id', 'internal']).where('tenant_id', '=', tenantId).execute();
  const convs = await db.selectFrom('conversations').select(['id', 'last_seq', 'visitor_id']).where('tenant_id', '=', tenantId).execute();

  // Stored exactly once per (author, clientId), seqs contiguous.
  const byDedupe = new Map<string, number>();
  for (const r of rows) byDedupe.set(`${r.author_kind}:${r.author_id}:${r.client_id}`, (byDedupe.get(`${r.author_kind}:${r.author_id}:${r.client_id}`) ?? 0) + 1);
  expect([...byDedupe.values()].filter((n) => n > 1), 'stored duplicates').toEqual([]);
  for (const c of convs) {
    const seqs = rows.filter((r) => r.conversation_id === c.id).map((r) => Number(r.seq)).sort((a, b) => a - b);
    expect(seqs, `seqs of ${c.id}`).toEqual(Array.from({ length: Number(c.last_seq) }, (_, i) => i + 1));
  }

  // Every send acked, every ack stored with that id and seq.
  const rowsById = new Map(rows.map((r) => [r.id, r]));
  const storedClientIds = new Set(rows.map((r) => r.client_id));
  let sent = 0;
  let acked = 0;
  for (const s of senders) {
    expect(s.outbox.size, `${s.name} unacknowledged sends`).toBe(0);
    expect([...s.failed.entries()], `${s.name} failed sends`).toEqual([]);
    for (const id of s.sentIds) {
      sent++;
      expect(storedClientIds.has(id), `sent ${id} stored`).toBe(true);
    }
    for (const [clientId, m] of s.acked) {
      acked++;
      const row = rowsById.get(m.id);
      expect(row, `acked ${clientId} (${m.id}) stored`).toBeTruthy();
      expect(Number(row!.seq)).toBe(m.seq);
      expect(row!.client_id).toBe(clientId);
    }
  }

  // Receivers: no slot with two ids, nothing missing.
  for (const c of [...agents, ...visitors]) {
    const doubles = [...c.slots.entries()].filter(([, ids]) => ids.size > 1);
    expect(doubles, `${c.name} saw two messages with one seq`).toEqual([]);
    for (const id of c.seen.keys()) expect(rowsById.has(id), `${c.name} saw ${id}, which is not stored`).toBe(true);
  }
  for (const a of agents) {
    const missing = rows.filter((r) => !a.seen.has(r.id));
    expect(missing.length, `${a.name} never saw ${missing.length} stored messages, e.g. ${JSON.stringify(missing.slice(0, 3))}`).toBe(0);
  }
  for (const v of visitors) {
    if (!v.conversationId) continue;
    const mine = rows.filter((r) => r.conversation_id === v.conversationId && !r.internal);
    const missing = mine.filter((r) => !v.seen.has(r.id));
    expect(missing.length, `${v.name} never saw ${missing.length} messages of its conversation, e.g. ${JSON.stringify(missing.slice(0, 3))}`).toBe(0);
  }
  return { stored: rows.length, sent, acked };
}

/** Drives load: every visitor sends `perSecond` messages, the agent answers each conversation. */
export function startLoad(visitors: ProtoClient[], agent: ProtoClient | null, perSecond: number, maxInFlight = 5): () => void {
  let stopped = false;
  const tick = 1000 / perSecond;
  const timers = visitors.map((v, i) =>
    setInterval(() => {
      if (stopped || v.outbox.size >= maxInFlight) return;
      v.send(`visitor ${i} message ${v.sentIds.length + 1}`);
    }, tick),
  );
  let agentTimer: NodeJS.Timeout | null = null;
  if (agent) {
    let turn = 0;
    agentTimer = setInterval(() => {
      if (stopped || agent.outbox.size >= maxInFlight) return;
      const convs = visitors.map((v) => v.conversationId).filter((c): c is string => !!c);
      if (convs.length === 0) return;
      const conv = convs[turn++ % convs.length]!;
      agent.send(`agent reply ${agent.sentIds.length + 1}`, conv);
    }, 1000 / Math.min(15, perSecond * 2));
  }
  return () => {
    stopped = true;
    for (const t of timers) clearInterval(t);
    if (agentTimer) clearInterval(agentTimer);
  };
}
