import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_init.js';

/** Migrations are listed in code (not read from disk) so the compiled build and tests see the same set. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001_init': m0001 };
  },
};
