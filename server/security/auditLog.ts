/**
 * The access audit: every read or change of conversation or visitor data appends an entry to a
 * hash-chained, append-only log. Each entry's hash covers its fields and the previous entry's hash,
 * so changing, removing or reordering any entry breaks the chain at exactly that place.
 * Appends serialise on the single audit_head row (UPDATE … RETURNING locks it on PostgreSQL;
 * SQLite serialises writers anyway), which keeps one total order across nodes.
 */
import { redactDeep } from './sinkRedaction.js';
import { createHash } from 'node:crypto';
import type { Db } from '../storage/db.js';
import type { AuditEntry, AuditLogTable } from '../storage/schema.js';
import { batchWhileBusy } from '../storage/batchWhileBusy.js';
import { leafHash } from './tlog/merkle.js';
import { afterCommit } from '../storage/commitHooks.js';

export interface AuditActor {
  kind: AuditLogTable['actor_kind'];
  id: string | null;
  credential: string | null;
  address: string | null;
}

export interface AuditRecord {
  tenantId: string | null;
  action: string;
  resourceType?: string;
  resourceId?: string;
  conversationId?: string | null;
  visitorId?: string | null;
  details?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The exact bytes hashed into the chain, and the entry's leaf in the audit Merkle log (auditTlog.ts): fixed field order, explicit nulls. */
export function entryBytes(e: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify([
    e.seq, e.at, e.tenant_id, e.actor_kind, e.actor_id, e.credential, e.address, e.action,
    e.resource_type, e.resource_id, e.conversation_id, e.visitor_id, e.details, e.prev_hash,
  ]);
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(entryBytes(e)).digest('hex');
}

/** An entry this node committed: its Merkle leaf hash (auditTlog.ts) and its tenant, told to the node's written record. */
export interface CommittedLeaf {
  seq: number;
  leaf: Buffer;
  tenantId: string | null;
}

/**
 * Who is told, per database, of the entries this process committed (auditWritten.ts): the node
 * knows the canonical bytes it wrote, so a later rewrite of them in the database is provable before
 * any checkpoint covers them. Entries appended inside a caller's transaction are told when that
 * transaction commits (storage/commitHooks.ts), never if it rolls back (its seqs are then reused).
 * Keyed by the dialect's adapter, which a transaction shares with its database.
 */
const committedListeners = new WeakMap<object, Set<(leaves: CommittedLeaf[]) => void>>();
const listenersOf = (db: Db) => committedListeners.get(db.getExecutor().adapter);

export function onAuditCommitted(db: Db, listener: (leaves: CommittedLeaf[]) => void): () => void {
  const key = db.getExecutor().adapter;
  let set = committedListeners.get(key);
  if (!set) committedListeners.set(key, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

function tell(listeners: Set<(leaves: CommittedLeaf[]) => void>, rows: Array<AuditEntry & { bytes: string }>): void {
  const leaves = rows.map((r) => ({ seq: r.seq, leaf: leafHash(Buffer.from(r.bytes)), tenantId: r.tenant_id }));
  for (const l of listeners) {
    try {
      l(leaves);
    } catch {
      /* the record logs its own failures; the entries are committed either way */
    }
  }
}

export const SYSTEM_ACTOR = (job: string): AuditActor => ({ kind: 'system', id: null, credential: `job:${job}`, address: null });

interface Pending {
  actor: AuditActor;
  records: AuditRecord[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Appends records in order, inside the caller's transaction when given one. Otherwise appends that
 * arrive while one is being written wait and are then written together, in one transaction: the
 * chain head is one row, so every append holds its lock until commit. One at a time, a burst of
 * reads (an agent receiving hundreds of new conversations; both nodes of a cluster) queued on that
 * lock and held every database connection meanwhile. Each caller still returns only after its
 * entries are committed, in the order the calls were made on this node.
 */
export async function appendAudit(db: Db, unsafeActor: AuditActor, unsafeRecords: AuditRecord[]): Promise<void> {
  if (unsafeRecords.length === 0) return;
  // A sink: no card number in any field of an entry (security/sinkRedaction.ts), before it is hashed.
  const actor = redactDeep(unsafeActor);
  const records = redactDeep(unsafeRecords);
  if (db.isTransaction) {
    const rows = await writeEntries(db, [{ actor, records }]);
    const listeners = listenersOf(db);
    if (listeners?.size) await afterCommit(db as never, () => tell(listeners, rows));
    return;
  }
  let enqueue = queues.get(db);
  if (!enqueue) queues.set(db, (enqueue = batchWhileBusy((group: Pending[]) => writeGroup(db, group), { max: MAX_GROUP })));
  const submit = enqueue;
  return new Promise<void>((resolve, reject) => submit({ actor, records, resolve, reject }));
}

const MAX_GROUP = 500;
const queues = new WeakMap<Db, (pending: Pending) => void>();

async function writeGroup(db: Db, group: Pending[]): Promise<void> {
  try {
    const rows = await db.transaction().execute((trx) => writeEntries(trx, group));
    const listeners = listenersOf(db);
    // Before the callers hear "recorded": from here on a rewrite of these entries is provable.
    if (listeners?.size) tell(listeners, rows);
    for (const p of group) p.resolve();
  } catch (err) {
    for (const p of group) p.reject(err);
  }
}

async function writeEntries(trx: Db, groups: Array<{ actor: AuditActor; records: AuditRecord[] }>): Promise<Array<AuditEntry & { bytes: string }>> {
  const count = groups.reduce((n, g) => n + g.records.length, 0);
  const head = await trx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', count) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  let seq = head.seq - count;
  let prev = head.hash;
  const at = Date.now();
  const rows: Array<AuditEntry & { bytes: string }> = [];
  for (const { actor, records } of groups) {
    for (const r of records) {
      seq++;
      const row: Omit<AuditEntry, 'hash'> = {
        seq,
        at,
        tenant_id: r.tenantId,
        actor_kind: actor.kind,
        actor_id: actor.id,
        credential: actor.credential,
        address: actor.address,
        action: r.action,
        resource_type: r.resourceType ?? null,
        resource_id: r.resourceId ?? null,
        conversation_id: r.conversationId ?? null,
        visitor_id: r.visitorId ?? null,
        details: r.details ? JSON.stringify(r.details) : null,
        prev_hash: prev,
      };
      const bytes = entryBytes(row);
      prev = createHash('sha256').update(bytes).digest('hex');
      rows.push({ ...row, hash: prev, bytes });
    }
  }
  // Chunks keep each insert under the drivers' parameter limits (15 columns per row).
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('audit_log').values(rows.slice(i, i + 500).map(({ bytes: _b, ...r }) => r)).execute();
  await trx.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
  return rows;
}

export interface ChainProblem {
  seq: number;
  problem: 'tampered' | 'missing' | 'broken_link' | 'head_mismatch';
  detail: string;
}

/** Walks the whole chain; reports every entry that was changed, removed or re-linked. */
export async function verifyAudit(db: Db, pageSize = 5000): Promise<{ entries: number; problems: ChainProblem[] }> {
  const problems: ChainProblem[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(pageSize).execute();
    if (page.length === 0) break;
    for (const e of page) {
      if (e.seq !== expectedSeq) {
        problems.push({ seq: expectedSeq, problem: 'missing', detail: `entries ${expectedSeq}..${e.seq - 1} are missing` });
      } else if (e.prev_hash !== prevHash) {
        problems.push({ seq: e.seq, problem: 'broken_link', detail: 'prev_hash does not match the previous entry' });
      }
      const { hash, ...rest } = e;
      if (entryHash(rest) !== hash) problems.push({ seq: e.seq, problem: 'tampered', detail: 'entry content does not match its hash' });
      prevHash = hash;
      expectedSeq = e.seq + 1;
      entries++;
    }
  }
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  if (head.seq !== expectedSeq - 1) problems.push({ seq: head.seq, problem: 'missing', detail: `chain ends at ${expectedSeq - 1} but ${head.seq} entries were written` });
  else if (head.hash !== prevHash) problems.push({ seq: head.seq, problem: 'head_mismatch', detail: 'last entry hash differs from the recorded chain head' });
  return { entries, problems };
}
