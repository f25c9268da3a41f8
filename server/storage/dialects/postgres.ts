import pg from 'pg';
import { PostgresDialect, PostgresDriver, sql, type DatabaseConnection, type Driver, type Kysely, type PostgresDialectConfig, type TransactionSettings } from 'kysely';
import { commitWithHooks, dropCommitHooks } from '../commitHooks.js';
import { serverPreparedName } from '../preparedQuery.js';

// bigint (epoch ms) fits in a double for the next 285,000 years; read it as a number, not a string.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface PostgresOptions {
  searchPath?: string;
  max?: number;
  /** Every failed query of this pool (storage/storageHealth.ts watches for a full disk). */
  onQueryError?: (err: unknown) => void;
}

export function postgresDialect(connectionString: string, options: PostgresOptions = {}): { dialect: PostgresDialect; pool: pg.Pool } {
  const onQueryError = options.onQueryError ?? null;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
    connectionTimeoutMillis: 5000,
    Client: onQueryError ? class extends PreparingClient { protected override onQueryError = onQueryError; } : PreparingClient,
  });
  // An idle client losing its connection (PostgreSQL restart) is removed by the pool, which then
  // emits 'error' on itself: without a listener that would end the process.
  pool.on('error', () => {});
  return { dialect: new HookedPostgresDialect({ pool }), pool };
}

/** Runs the transaction's commit hooks (storage/commitHooks.ts) after COMMIT, drops them otherwise. */
class HookedPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    dropCommitHooks(connection);
    await super.beginTransaction(connection, settings);
  }

  override commitTransaction(connection: DatabaseConnection): Promise<void> {
    return commitWithHooks(connection, () => super.commitTransaction(connection));
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      dropCommitHooks(connection);
    }
  }
}

class HookedPostgresDialect extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new HookedPostgresDriver(this.settings);
  }
}

/**
 * The message path's queries (storage/preparedQuery.ts) run as named prepared statements: parsed and
 * planned once per connection instead of on every run (PostgreSQL's statement log showed 45–70 µs
 * of parsing per unnamed run). Their number is fixed by the code, so each connection holds a bounded
 * set. Everything else goes through unchanged.
 */
class PreparingClient extends pg.Client {
  protected onQueryError: ((err: unknown) => void) | null = null;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // pg-pool listens for 'error' only while a client is idle in the pool: a client checked out
    // (by a query, a transaction, Kysely's connection) that loses its server — 57P01 "terminating
    // connection due to administrator command" on a PostgreSQL stop — emits 'error' with no
    // listener, and an 'error' event without a listener ends the process. Every client of every
    // pool (storage, key store) therefore always has one. Nothing is lost by ignoring the event:
    // the query in flight fails with the same error (and becomes `unavailable`, server/errors.ts),
    // the client is no longer queryable, and the pool discards it when it is released.
    this.on('error', () => {});
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? serverPreparedName(text) : undefined;
      const result = name ? query({ name, text, values }) : query(...args);
      const onError = this.onQueryError;
      if (onError && result instanceof Promise) {
        return result.catch((err: unknown) => {
          onError(err);
          throw err;
        });
      }
      return result;
    }) as pg.Client['query'];
  }
}

/**
 * A client outside any pool (a LISTEN connection, a one-off admin query): the only way to make one,
 * so it too has an 'error' listener — see PreparingClient. `onError` hears what the event said
 * (a LISTEN client must reconnect: its connection is gone).
 */
export function postgresClient(config: string | pg.ClientConfig, onError: (err: Error) => void = () => {}): pg.Client {
  const client = new pg.Client(config);
  client.on('error', onError);
  return client;
}

export function isPostgresUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

/** After crypto-shredding: VACUUM the given tables (the key store's tenant_keys) so dead tuples holding destroyed wrapped keys are reclaimed. */
export async function postgresAfterErase(db: Kysely<any>, tables: string[]): Promise<void> {
  for (const table of tables) await sql`VACUUM ${sql.table(table)}`.execute(db);
}
