import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_init.js';
import * as m0002 from './0002_audit_incidents_webhooks.js';

/** Migrations are listed in code (not read from disk) so the compiled build and tests see the same set. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_init': m0001,
      '0002_audit_incidents_webhooks': m0002,
    };
  },
};
