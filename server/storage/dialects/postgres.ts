import pg from 'pg';
import { PostgresDialect, sql, type Kysely } from 'kysely';
import { serverPreparedName } from '../preparedQuery.js';

// bigint (epoch ms) fits in a double for the next 285,000 years; read it as a number, not a string.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export function postgresDialect(connectionString: string, options: { searchPath?: string; max?: number } = {}): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
    connectionTimeoutMillis: 5000,
    Client: PreparingClient,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the node.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}

/**
 * The message path's queries (storage/preparedQuery.ts) run as named prepared statements: parsed and
 * planned once per connection instead of on every run (PostgreSQL's statement log showed 45–70 µs
 * of parsing per unnamed run). Their number is fixed by the code, so each connection holds a bounded
 * set. Everything else goes through unchanged.
 */
class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? serverPreparedName(text) : undefined;
      return name ? query({ name, text, values }) : query(...args);
    }) as pg.Client['query'];
  }
}

export function isPostgresUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

/** After crypto-shredding: VACUUM the given tables (the key store's tenant_keys) so dead tuples holding destroyed wrapped keys are reclaimed. */
export async function postgresAfterErase(db: Kysely<any>, tables: string[]): Promise<void> {
  for (const table of tables) await sql`VACUUM ${sql.table(table)}`.execute(db);
}
