import type { Kysely } from 'kysely';

/** CSP reporting for tenants: per-tenant report keys, stored reports, and blocked destinations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('csp_endpoints')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    /** The path segment of POST /api/csp/:reportKey: unguessable, so one tenant cannot report into another's feed. */
    .addColumn('report_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('csp_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    /** 'report-uri' | 'reporting-api' */
    .addColumn('format', 'text', (c) => c.notNull())
    /** Grouping key: the blocked URL's origin, or a keyword such as 'inline' or 'eval'. */
    .addColumn('destination', 'text', (c) => c.notNull())
    /** Origin and path only: query strings and fragments (where skimmers put card data) are never stored. */
    .addColumn('blocked_url', 'text')
    .addColumn('directive', 'text', (c) => c.notNull())
    .addColumn('document_url', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text')
    .addColumn('line', 'integer')
    .addColumn('disposition', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('csp_reports_tenant_dest').on('csp_reports').columns(['tenant_id', 'destination', 'received_at']).execute();
  await db.schema.createIndex('csp_reports_tenant_at').on('csp_reports').columns(['tenant_id', 'received_at']).execute();

  await db.schema
    .createTable('csp_destinations')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('destination', 'text', (c) => c.notNull())
    /** JSON array of the directives that blocked it. */
    .addColumn('directives', 'text', (c) => c.notNull())
    .addColumn('reports', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_document_url', 'text')
    .addPrimaryKeyConstraint('csp_destinations_pk', ['tenant_id', 'destination'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['csp_destinations', 'csp_reports', 'csp_endpoints']) await db.schema.dropTable(t).execute();
}
