/**
 * The key store: where the wrapped per-tenant data keys (`tenant_keys`) live, apart from the
 * application database, so that a copy of that database never holds them. Deleting a tenant or
 * destroying a key version removes the wrapped key here; a copy of the application database taken
 * before then is ciphertext whose keys no longer exist anywhere (crypto-shredding), even with the
 * unchanged MASTER_KEY.
 *
 * - Embedded (no DATABASE_URL): its own SQLite file, DATA_DIR/keystore.sqlite (WAL, synchronous=FULL,
 *   secure_delete=ON, like the main file).
 * - PostgreSQL: KEYSTORE_URL — another database, or a schema given as `?schema=NAME`. Without
 *   KEYSTORE_URL, the schema `parley_keys` of the DATABASE_URL database (the node warns at boot: a
 *   dump of that whole database then includes the keys; see docs/SECURITY.md).
 *
 * It has its own one-table migration and its own migration bookkeeping tables.
 */
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantKeyTable } from './schema.js';
import { isSqliteUniqueViolation, sqliteAfterErase, sqliteDialect } from './dialects/sqlite.js';
import { isPostgresUniqueViolation, postgresAfterErase, postgresDialect } from './dialects/postgres.js';
import { retryWhileSchemasChange } from './databaseWait.js';

export interface KeyStoreDatabase {
  tenant_keys: TenantKeyTable;
}

export interface KeyStore {
  db: Kysely<KeyStoreDatabase>;
  dialect: 'sqlite' | 'postgres';
  /** The file, or `schema <name>` (never a connection string: it may carry credentials). */
  location: string;
  isUniqueViolation(err: unknown): boolean;
  /** After destroying keys: flush what the engine may still hold of the erased wrapped keys. */
  afterErase(): Promise<void>;
  close(): Promise<void>;
}

/** The schema used when DATABASE_URL is set without KEYSTORE_URL. */
export const DEFAULT_KEYSTORE_SCHEMA = 'parley_keys';

export interface KeyStoreOptions {
  /** The application database (PostgreSQL) or null (embedded SQLite). */
  databaseUrl: string | null;
  /** A separate PostgreSQL database, or schema (`?schema=NAME`), for the keys. */
  keystoreUrl?: string | null;
  dataDir: string;
  /** The application's PostgreSQL schema, when not the default (tests, scale-out harness). */
  pgSchema?: string;
  /** Key store schema override (tests); by default from KEYSTORE_URL, else `<pgSchema>_keys` or parley_keys. */
  keystorePgSchema?: string;
  /** Key store SQLite file, overriding DATA_DIR/keystore.sqlite. */
  keystoreFile?: string;
  /** Every failed query (storage/storageHealth.ts watches for a full disk). */
  onQueryError?: (err: unknown) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/i;

/** Splits KEYSTORE_URL into a connection string and the schema named by `?schema=` (if any). */
export function parseKeystoreUrl(raw: string): { connectionString: string; schema: string | null } {
  const u = new URL(raw);
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error('KEYSTORE_URL schema must be a plain identifier (letters, digits, _)');
  return { connectionString: u.toString(), schema };
}

const keyStoreMigrations: Record<string, Migration> = {
  '0001_tenant_keys': {
    // One row per (tenant, purpose, version); a destroyed version keeps its row with wrapped_key null,
    // a deleted tenant's rows are deleted. No foreign key: the tenants live in another database.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenant_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('wrapped_key', 'text')
        .addColumn('master_key_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('destroyed_at', 'bigint')
        .addPrimaryKeyConstraint('tenant_keys_pk', ['tenant_id', 'purpose', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('tenant_keys').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => keyStoreMigrations };

export async function openKeyStore(opts: KeyStoreOptions): Promise<KeyStore> {
  if (!opts.databaseUrl) {
    const file = opts.keystoreFile ?? join(opts.dataDir, 'keystore.sqlite');
    const db = new Kysely<KeyStoreDatabase>({ dialect: sqliteDialect(file, null, opts.onQueryError) });
    const store: KeyStore = { db, dialect: 'sqlite', location: file, isUniqueViolation: isSqliteUniqueViolation, afterErase: () => sqliteAfterErase(db), close: () => db.destroy() };
    await migrateKeyStore(db);
    // Only Parley's user may read the wrapped keys, like master.key.
    if (file !== ':memory:') chmodSync(file, 0o600);
    return store;
  }
  const target = opts.keystoreUrl ? parseKeystoreUrl(opts.keystoreUrl) : { connectionString: opts.databaseUrl, schema: null };
  const schema = opts.keystorePgSchema ?? target.schema ?? (opts.keystoreUrl ? null : opts.pgSchema ? `${opts.pgSchema}_keys` : DEFAULT_KEYSTORE_SCHEMA);
  if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error(`key store schema "${schema}" is not a plain identifier`);
  const { dialect } = postgresDialect(target.connectionString, { searchPath: schema ?? undefined, max: 4, onQueryError: opts.onQueryError });
  const db = new Kysely<KeyStoreDatabase>({ dialect });
  const store: KeyStore = {
    db,
    dialect: 'postgres',
    location: schema ? `schema ${schema}` : 'KEYSTORE_URL database',
    isUniqueViolation: isPostgresUniqueViolation,
    afterErase: () => postgresAfterErase(db, ['tenant_keys']),
    close: () => db.destroy(),
  };
  try {
    if (schema) {
      try {
        await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      } catch (err) {
        if (!isPostgresUniqueViolation(err)) throw err; // another node created it at the same moment
      }
    }
    await migrateKeyStore(db, schema ?? undefined);
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }
  return store;
}

async function migrateKeyStore(db: Kysely<KeyStoreDatabase>, pgSchema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'keystore_migration',
    migrationLockTableName: 'keystore_migration_lock',
    ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
  });
  const { error, results } = await retryWhileSchemasChange(() => migrator.migrateToLatest());
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`key store migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
