import pg from 'pg';
import { PostgresDialect, sql, type Kysely } from 'kysely';

// bigint (epoch ms) fits in a double for the next 285,000 years; read it as a number, not a string.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export function postgresDialect(connectionString: string, options: { searchPath?: string; max?: number } = {}): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the node.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}

export function isPostgresUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

/** After crypto-shredding: VACUUM the given tables (the key store's tenant_keys) so dead tuples holding destroyed wrapped keys are reclaimed. */
export async function postgresAfterErase(db: Kysely<any>, tables: string[]): Promise<void> {
  for (const table of tables) await sql`VACUUM ${sql.table(table)}`.execute(db);
}
