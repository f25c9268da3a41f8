/**
 * A visitor's display name, as copied into each of their messages. Reading it costs a query and a
 * decryption per message (and on SQLite the read waits for the batch being written: one more batch
 * of latency for every visitor message), so names are cached per node. A name changes only in
 * startVisitorSession; it, erasure, retention and tenant deletion call forgetVisitorNames, which
 * forgets at once on this node and tells the others with a `visitors.changed` event (so no erased
 * name stays in memory either). Should that event be lost (Redis restarting at that moment), or the
 * change be made by a process without the bus (the CLI on an embedded installation), a node writes
 * the old name into new messages for at most TTL_MS.
 */
import type { Ctx } from '../context.js';
import { openVisitors } from '../security/sealedFields.js';
import { preparedQuery } from '../storage/preparedQuery.js';
import type { Storage } from '../storage/db.js';
import { ExpiringCache } from '../expiringCache.js';

const MAX_ENTRIES = 50_000;
/** Like an unwrapped key (security/keyring.ts): a change made by another process (the CLI) reaches this one within it. */
const TTL_MS = 5 * 60_000;
/** Per database: the names, and how many times one was forgotten (a read that overlapped a forget is not cached). */
const cached = new WeakMap<Storage, { names: ExpiringCache<string>; forgets: number }>();

const visitorName = preparedQuery<{ id: string; tenantId: string }, { id: string; tenant_id: string; name: string | null }>((db, p) =>
  db.selectFrom('visitors').select(['id', 'tenant_id', 'name']).where('id', '=', p('id')).where('tenant_id', '=', p('tenantId')),
);

/** The name when this node has it cached (no promise: asked on every visitor message); undefined: ask visitorDisplayName(). */
export function knownVisitorName(storage: Storage, tenantId: string, visitorId: string): string | undefined {
  return cached.get(storage)?.names.get(`${tenantId}|${visitorId}`);
}

export async function visitorDisplayName(ctx: Ctx, tenantId: string, visitorId: string): Promise<string> {
  const cache = cacheOf(ctx.storage);
  const key = `${tenantId}|${visitorId}`;
  const hit = cache.names.get(key);
  if (hit !== undefined) return hit;
  const forgetsBefore = cache.forgets;
  const row = await visitorName.first(ctx.storage.db, { id: visitorId, tenantId });
  // Only the name is opened (one decryption, not four).
  const name = (row && (await openVisitors(ctx.keyring, [{ ...row, email: null, current_page: null, user_agent: null }]))[0]!.name) || 'Visitor';
  if (row && cache.forgets === forgetsBefore) cache.names.set(key, name);
  return name;
}

/**
 * Call when visitors' names may have changed or they were erased; without `visitorIds`, for the
 * whole tenant (deleted). Forgotten here at once, and on the other nodes when they get the event.
 */
export function forgetVisitorNames(ctx: Pick<Ctx, 'storage' | 'log'> & Partial<Pick<Ctx, 'bus'>>, tenantId: string, visitorIds?: string[]): void {
  forgetHere(ctx.storage, tenantId, visitorIds ?? null);
  ctx.bus?.publish({ type: 'visitors.changed', tenantId, visitorIds: visitorIds ?? null }).catch((err: Error) => ctx.log.warn({ err: err.message }, 'visitors.changed not published: other nodes forget cached names within their TTL'));
}

/** Every node (this one included) forgets the names another node reports changed. */
export function followVisitorChanges(ctx: Ctx): void {
  ctx.bus.subscribe((event) => {
    if (event.type === 'visitors.changed') forgetHere(ctx.storage, event.tenantId, event.visitorIds);
  });
}

function forgetHere(storage: Storage, tenantId: string, visitorIds: string[] | null): void {
  const cache = cached.get(storage);
  if (!cache) return;
  if (visitorIds) for (const id of visitorIds) cache.names.delete(`${tenantId}|${id}`);
  else cache.names.deleteWithPrefix(`${tenantId}|`);
  cache.forgets++;
}

function cacheOf(storage: Storage): { names: ExpiringCache<string>; forgets: number } {
  let cache = cached.get(storage);
  if (!cache) cached.set(storage, (cache = { names: new ExpiringCache({ maxEntries: MAX_ENTRIES, ttlMs: TTL_MS }), forgets: 0 }));
  return cache;
}
