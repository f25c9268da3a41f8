import type { Db } from '../storage/db.js';
import type { Tenant } from '../storage/schema.js';

export function findTenantByWidgetKey(db: Db, key: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('widget_key', '=', key).executeTakeFirst();
}

export function allowedOrigins(tenant: Tenant): string[] {
  return JSON.parse(tenant.allowed_origins) as string[];
}
