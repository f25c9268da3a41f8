/**
 * Work to run once a transaction has committed, and never if it rolls back, for facts that are true
 * only then: the access audit's written record (security/auditWritten.ts) must not keep an entry a
 * rollback took back (its seq is then reused by another entry, which would look like a rewrite).
 * Keyed by the transaction's connection; the dialects' drivers (dialects/sqlite.ts,
 * dialects/postgres.ts) run the hooks right after COMMIT — before the caller's transaction returns —
 * and drop them on rollback or a failed commit.
 */
import type { Kysely } from 'kysely';

const hooks = new WeakMap<object, Array<() => void>>();

/** `trx` must be a transaction (db.isTransaction). */
export async function afterCommit(trx: Kysely<unknown>, fn: () => void): Promise<void> {
  await trx.getExecutor().provideConnection(async (connection) => {
    const list = hooks.get(connection);
    if (list) list.push(fn);
    else hooks.set(connection, [fn]);
  });
}

/**
 * A driver's COMMIT with the hooks: they run once `commit` has succeeded, and are dropped if it
 * fails (the transaction is then not committed). The one place both dialects' drivers go through.
 */
export async function commitWithHooks(connection: object, commit: () => Promise<void>): Promise<void> {
  try {
    await commit();
  } catch (err) {
    dropCommitHooks(connection);
    throw err;
  }
  runCommitHooks(connection);
}

function runCommitHooks(connection: object): void {
  const list = hooks.get(connection);
  if (!list) return;
  hooks.delete(connection);
  for (const fn of list) {
    try {
      fn();
    } catch {
      /* a hook reports its own failures; the transaction is committed either way */
    }
  }
}

export function dropCommitHooks(connection: object): void {
  hooks.delete(connection);
}
