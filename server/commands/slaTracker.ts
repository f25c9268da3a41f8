/**
 * Keeps each conversation's SLA clocks (conversation_sla) in step with what happens to it. It wraps
 * the event bus's publish on the node where an event happens (like webhooks/webhookForwarder.ts),
 * so each event is looked at once in the cluster, after commit and off the sender's path:
 * - a conversation open in a team with a policy gets its row (deadlines from when it began to wait);
 * - the first public agent reply meets the first response; a visitor message after an agent reply
 *   starts a next-response cycle, which the next agent reply meets;
 * - a resolve stops the clocks (its time meets the resolution target), a reopen resumes reply cycles.
 * Every step is a conditional UPDATE, so replays and several nodes agree. Lost events (a node dying
 * between commit and here) are caught up by the SLA job (commands/slaMonitor.ts), which re-reads the
 * messages before it ever declares a breach.
 */
import type { Logger } from 'pino';
import type { DomainEvent, EventBus } from '../events/domainEvents.js';
import { ExpiringReads } from '../expiringCache.js';
import { slaDeadline } from '../policies/slaClock.js';
import { conversationSlaViews, policyHours, type SlaPolicyRow } from '../queries/slaQueries.js';
import type { Db } from '../storage/db.js';

const POLICIES_TTL_MS = 1000;
/**
 * Whether a tenant has any SLA policy, kept a second: a tenant without one costs no query per
 * message, and once read its events are passed over without a promise each (knownWithoutPolicies).
 */
const hasPolicies = new ExpiringReads<boolean>({ maxEntries: 10_000, ttlMs: POLICIES_TTL_MS });

function tenantHasPolicies(db: Db, tenantId: string): Promise<boolean> {
  return hasPolicies.get(tenantId, () =>
    db
      .selectFrom('sla_policies')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .limit(1)
      .executeTakeFirst()
      .then((r) => r !== undefined),
  );
}

/** True when the tenant was read within POLICIES_TTL_MS to have no SLA policy. */
function knownWithoutPolicies(tenantId: string): boolean {
  return hasPolicies.known(tenantId)?.value === false;
}

/** Call after a tenant's policies changed. */
export function forgetSlaPolicies(tenantId: string): void {
  hasPolicies.delete(tenantId);
}

export interface SlaDeps {
  db: Db;
  bus: Pick<EventBus, 'publish'>;
  log: Pick<Logger, 'warn'>;
}

async function policyOf(db: Db, tenantId: string, policyId: string): Promise<SlaPolicyRow | undefined> {
  return db.selectFrom('sla_policies').selectAll().where('tenant_id', '=', tenantId).where('id', '=', policyId).executeTakeFirst();
}

async function deadline(db: Db, tenantId: string, policy: SlaPolicyRow, start: number, minutes: number | null): Promise<number | null> {
  if (minutes === null) return null;
  return slaDeadline(start, Number(minutes), await policyHours(db, tenantId, policy));
}

/** Tells the tenant's agents the conversation's clocks now. */
export async function publishSla(deps: SlaDeps, tenantId: string, conversationId: string): Promise<void> {
  const [sla] = await conversationSlaViews(deps.db, tenantId, [conversationId]);
  if (sla) await deps.bus.publish({ type: 'sla.changed', tenantId, sla });
}

/**
 * Gives an open conversation of a team with a policy its SLA row, once (insert or nothing). Its
 * clocks start when it began to wait for an agent (queued_at), or when it was created.
 */
export async function startSla(db: Db, tenantId: string, conversationId: string): Promise<boolean> {
  const c = await db.selectFrom('conversations').select(['id', 'status', 'team_id', 'queued_at', 'created_at']).where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
  if (!c || c.status !== 'open' || !c.team_id) return false;
  const policy = await db.selectFrom('sla_policies').selectAll().where('tenant_id', '=', tenantId).where('team_id', '=', c.team_id).executeTakeFirst();
  if (!policy) return false;
  const start = Number(c.queued_at ?? c.created_at);
  const spec = await policyHours(db, tenantId, policy);
  const due = (m: number | null) => (m === null ? null : slaDeadline(start, Number(m), spec));
  const r = await db
    .insertInto('conversation_sla')
    .values({
      conversation_id: c.id,
      tenant_id: tenantId,
      policy_id: policy.id,
      started_at: start,
      first_response_due_at: due(policy.first_response_minutes),
      first_response_at: null,
      first_response_breached_at: null,
      next_response_started_at: null,
      next_response_due_at: null,
      next_response_breached_at: null,
      next_met: 0,
      next_breached: 0,
      resolution_due_at: due(policy.resolution_minutes),
      resolved_at: null,
      resolution_breached_at: null,
      closed_at: null,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.column('conversation_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

const rowOf = (db: Db, tenantId: string, conversationId: string) =>
  db.selectFrom('conversation_sla').selectAll().where('tenant_id', '=', tenantId).where('conversation_id', '=', conversationId).executeTakeFirst();

/** A public agent reply at `at`: meets the first response, and the running next-response cycle when in time. */
export async function agentReplied(db: Db, tenantId: string, conversationId: string, at: number): Promise<boolean> {
  const row = await rowOf(db, tenantId, conversationId);
  if (!row) return false;
  let changed = false;
  if (row.first_response_at === null) {
    const r = await db.updateTable('conversation_sla').set({ first_response_at: at }).where('conversation_id', '=', conversationId).where('tenant_id', '=', tenantId).where('first_response_at', 'is', null).executeTakeFirst();
    changed = r.numUpdatedRows > 0n;
  }
  const due = row.next_response_due_at === null ? null : Number(row.next_response_due_at);
  // In time: met. Late and not yet flagged: left to the job, which raises the breach first.
  if (due !== null && Number(row.next_response_started_at) <= at && (at <= due || row.next_response_breached_at !== null)) {
    const met = at <= due && row.next_response_breached_at === null ? 1 : 0;
    const r = await db
      .updateTable('conversation_sla')
      .set((eb) => ({ next_response_started_at: null, next_response_due_at: null, next_response_breached_at: null, next_met: eb('next_met', '+', met) }))
      .where('conversation_id', '=', conversationId)
      .where('tenant_id', '=', tenantId)
      .where('next_response_due_at', '=', due)
      .executeTakeFirst();
    changed = changed || r.numUpdatedRows > 0n;
  }
  return changed;
}

/** A visitor message at `at` after an agent has replied starts a next-response cycle (none runs yet). */
export async function visitorWrote(db: Db, tenantId: string, conversationId: string, at: number): Promise<boolean> {
  const row = await rowOf(db, tenantId, conversationId);
  if (!row || row.closed_at !== null || row.first_response_at === null || row.next_response_due_at !== null) return false;
  // Only after the last agent reply: a visitor message answering nothing new keeps the cycle that runs.
  if (Number(row.first_response_at) > at) return false;
  const policy = await policyOf(db, tenantId, row.policy_id);
  const due = policy ? await deadline(db, tenantId, policy, at, policy.next_response_minutes) : null;
  if (due === null) return false;
  const r = await db
    .updateTable('conversation_sla')
    .set({ next_response_started_at: at, next_response_due_at: due, next_response_breached_at: null })
    .where('conversation_id', '=', conversationId)
    .where('tenant_id', '=', tenantId)
    .where('next_response_due_at', 'is', null)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Resolved at `at`: the clocks stop (a reply cycle still inside its deadline is dropped; a late one is the job's). */
export async function conversationResolved(db: Db, tenantId: string, conversationId: string, at: number): Promise<boolean> {
  const row = await rowOf(db, tenantId, conversationId);
  if (!row || row.closed_at !== null) return false;
  const dropNext = row.next_response_due_at !== null && Number(row.next_response_due_at) > at;
  const r = await db
    .updateTable('conversation_sla')
    .set({ closed_at: at, ...(row.resolved_at === null ? { resolved_at: at } : {}), ...(dropNext ? { next_response_started_at: null, next_response_due_at: null } : {}) })
    .where('conversation_id', '=', conversationId)
    .where('tenant_id', '=', tenantId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Reopened: reply cycles run again; the resolution target stays measured at the first resolve. */
export async function conversationReopened(db: Db, tenantId: string, conversationId: string): Promise<boolean> {
  const r = await db.updateTable('conversation_sla').set({ closed_at: null }).where('conversation_id', '=', conversationId).where('tenant_id', '=', tenantId).where('closed_at', 'is not', null).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

async function follow(deps: SlaDeps, event: DomainEvent): Promise<void> {
  if (event.type !== 'message.created' && event.type !== 'conversation.updated') return;
  if (!(await tenantHasPolicies(deps.db, event.tenantId))) return;
  const db = deps.db;
  let id: string;
  let changed = false;
  if (event.type === 'message.created') {
    const m = event.message;
    if (m.internal) return;
    id = event.conversationId;
    const at = Date.parse(m.createdAt);
    if (m.author.kind === 'agent') changed = await agentReplied(db, event.tenantId, id, at);
    else if (m.author.kind === 'visitor') changed = await visitorWrote(db, event.tenantId, id, at);
  } else {
    const c = event.conversation;
    id = c.id;
    if (c.status === 'resolved') changed = await conversationResolved(db, event.tenantId, id, Date.parse(c.updatedAt));
    else changed = (await startSla(db, event.tenantId, id)) || (await conversationReopened(db, event.tenantId, id));
  }
  if (changed) await publishSla(deps, event.tenantId, id);
}

const inFlight = new WeakMap<EventBus, Set<Promise<void>>>();

/** Resolves once the SLA work of events already published on `bus` is done (tests, shutdown). */
export async function slaIdle(bus: EventBus): Promise<void> {
  const set = inFlight.get(bus);
  while (set && set.size) await Promise.allSettled([...set]);
}

/** Wraps `bus.publish` so SLA clocks follow the events published on this node (never failing or slowing the caller). */
export function trackServiceLevels(bus: EventBus, db: Db, log: Pick<Logger, 'warn'>): EventBus {
  const publish = bus.publish.bind(bus);
  const deps: SlaDeps = { db, bus: { publish }, log };
  const running = new Set<Promise<void>>();
  inFlight.set(bus, running);
  bus.publish = async (event: DomainEvent) => {
    await publish(event);
    if (event.type !== 'message.created' && event.type !== 'conversation.updated') return;
    if (knownWithoutPolicies(event.tenantId)) return; // most tenants: no work, and no promises per message
    const work = follow(deps, event).catch((err: Error) => log.warn({ err: err.message, type: event.type }, 'SLA clocks not updated (the SLA job catches up)'));
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  return bus;
}
