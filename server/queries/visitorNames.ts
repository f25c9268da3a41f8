/**
 * A visitor's display name, as copied into each of their messages. Reading it costs a query and a
 * decryption per message, and on SQLite the read waits for the batch being written (one more batch
 * of latency for every visitor message). There one process owns the database and a name changes
 * only in startVisitorSession, which forgets it here, so a cache is exact for this process (a change
 * by another one, the CLI, reaches it within TTL_MS); erasure, retention and tenant deletion forget
 * it too, so no erased name stays in memory. On PostgreSQL any node may change it: read every time.
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

export async function visitorDisplayName(ctx: Ctx, tenantId: string, visitorId: string): Promise<string> {
  const cache = ctx.storage.dialect === 'sqlite' ? cacheOf(ctx.storage) : null;
  const key = `${tenantId}|${visitorId}`;
  const hit = cache?.names.get(key);
  if (hit !== undefined) return hit;
  const forgetsBefore = cache?.forgets;
  const row = await visitorName.first(ctx.storage.db, { id: visitorId, tenantId });
  // Only the name is opened (one decryption, not four).
  const name = (row && (await openVisitors(ctx.keyring, [{ ...row, email: null, current_page: null, user_agent: null }]))[0]!.name) || 'Visitor';
  if (cache && row && cache.forgets === forgetsBefore) cache.names.set(key, name);
  return name;
}

/** Call when a visitor's name may have changed or the visitor was erased; without `visitorId`, for the whole tenant (deleted). */
export function forgetVisitorName(storage: Storage, tenantId: string, visitorId?: string): void {
  const cache = cached.get(storage);
  if (!cache) return;
  if (visitorId) cache.names.delete(`${tenantId}|${visitorId}`);
  else cache.names.deleteWithPrefix(`${tenantId}|`);
  cache.forgets++;
}

function cacheOf(storage: Storage): { names: ExpiringCache<string>; forgets: number } {
  let cache = cached.get(storage);
  if (!cache) cached.set(storage, (cache = { names: new ExpiringCache({ maxEntries: MAX_ENTRIES, ttlMs: TTL_MS }), forgets: 0 }));
  return cache;
}
