import { AppError } from '../errors.js';
import type { Actor } from '../context.js';

/**
 * The single same-tenant check. A record of another tenant is reported as not found (never
 * forbidden), so a caller cannot even learn that an id exists elsewhere.
 */
export function assertSameTenant<T extends { tenant_id: string }>(actor: Pick<Actor, 'tenantId'>, record: T | undefined | null, what: string): T {
  if (!record || record.tenant_id !== actor.tenantId) throw new AppError('not_found', `${what} not found`);
  return record;
}
