/**
 * Queries of the message path, built and compiled once. Kysely rebuilds a query's node tree and
 * recompiles it to SQL every time it runs: about 10–20 µs of JavaScript per query, several queries
 * per message (compiling them once took an SQLite node from 1,340 to 1,860 msg/s in the bench). A prepared query
 * is written with the query builder as usual, with `p('name')` where a value goes; it is compiled
 * once per dialect, and each run only binds the values (the SQLite dialect then reuses the prepared
 * statement, see dialects/sqlite.ts).
 *
 * Only for queries whose SQL does not depend on the values (no `in (...)` lists of varying length).
 */
import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database } from './schema.js';

type AnyDb = Kysely<Database>;
/** A parameter's place in the compiled SQL: a value given at run time, or a constant of the query. */
type Slot = { name: string } | { value: unknown };
interface Compiled {
  query: CompiledQuery<unknown>;
  slots: Slot[];
}

const PLACEHOLDER = '\u0000parley-param:';
/** SQL of every prepared query compiled so far → its server-side statement name (PostgreSQL, see dialects/postgres.ts). */
const serverNames = new Map<string, string>();

/** The name to prepare this SQL under on a PostgreSQL connection, if it is one of the prepared queries. */
export function serverPreparedName(sql: string): string | undefined {
  return serverNames.get(sql);
}

/** Marks hand-written SQL (a constant, never built from values) to be prepared like the queries below. */
export function serverPreparedSql(sql: string): string {
  if (!serverNames.has(sql)) serverNames.set(sql, `parley_${serverNames.size + 1}`);
  return sql;
}

/**
 * Statements run synchronously on the connection a transaction uses (SQLite's writer thread,
 * dialects/sqlite.ts): a query through Kysely costs a query object, driver wrappers and a few
 * promise hops, a fifth of a message's CPU on that thread; this runs the same SQL without them.
 */
export interface SyncStatements {
  /** Runs one statement with positional parameters: its rows (none for a change without RETURNING). */
  all(sql: string, parameters: readonly unknown[]): unknown[];
  /** Whether an error thrown by `all` is a duplicate key (UNIQUE or PRIMARY KEY). */
  isUniqueViolation(err: unknown): boolean;
}

export interface PreparedQuery<P, R> {
  /** All rows. `db` may be a transaction. */
  all(db: AnyDb, params: P): Promise<R[]>;
  first(db: AnyDb, params: P): Promise<R | undefined>;
  /** The same statement run through `statements`, which must be on the connection `db` uses (so in its transaction). */
  allSync(db: AnyDb, statements: SyncStatements, params: P): R[];
  firstSync(db: AnyDb, statements: SyncStatements, params: P): R | undefined;
}

export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (db: AnyDb, p: <K extends keyof P & string>(name: K) => P[K]) => Compilable<R>,
): PreparedQuery<P, R> {
  // Keyed by the dialect's adapter: a transaction shares it with its database.
  const byAdapter = new WeakMap<object, Compiled>();
  const compile = (db: AnyDb): Compiled => {
    const adapter = db.getExecutor().adapter;
    let c = byAdapter.get(adapter);
    if (!c) {
      const query = build(db, (name) => (PLACEHOLDER + name) as never).compile() as CompiledQuery<unknown>;
      const slots = query.parameters.map((v): Slot => (typeof v === 'string' && v.startsWith(PLACEHOLDER) ? { name: v.slice(PLACEHOLDER.length) } : { value: v }));
      byAdapter.set(adapter, (c = { query, slots }));
      serverPreparedSql(query.sql);
    }
    return c;
  };
  const bind = (slots: Slot[], params: P): unknown[] =>
    slots.map((s) => {
      if (!('name' in s)) return s.value;
      const v = params[s.name];
      if (v === undefined) throw new Error(`prepared query: no value for ${s.name}`);
      return v;
    });
  const all = async (db: AnyDb, params: P): Promise<R[]> => {
    const { query, slots } = compile(db);
    const result = await db.executeQuery<R>({ ...query, parameters: bind(slots, params) } as CompiledQuery<R>);
    return result.rows;
  };
  const allSync = (db: AnyDb, statements: SyncStatements, params: P): R[] => {
    const { query, slots } = compile(db);
    return statements.all(query.sql, bind(slots, params)) as R[];
  };
  return { all, first: async (db, params) => (await all(db, params))[0], allSync, firstSync: (db, statements, params) => allSync(db, statements, params)[0] };
}
