import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

class AlphabeticalSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * One suite, three projects: server tests run twice, once on SQLite and once on PostgreSQL
 * (TEST_DATABASE_URL, default the machine's local server); browser tests run once, last.
 */
const serverTests = ['server/**/*.test.ts'];
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summaryReporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      { test: { name: 'unit', include: ['protocol/**/*.test.ts', 'widget/**/*.test.ts', 'console/**/*.test.ts'] } },
      { test: { name: 'sqlite', include: serverTests, env: { PARLEY_TEST_DB: 'sqlite' } } },
      { test: { name: 'postgres', include: serverTests, env: { PARLEY_TEST_DB: 'postgres' } } },
      { test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false } },
      // Real node processes on the machine's PostgreSQL and Redis, with faults (kill -9, Redis and
      // PostgreSQL restarts). Runs after every other project (groupOrder), one file at a time, files
      // in name order so the PostgreSQL restart (zz-) comes last and nothing else is using it.
      {
        test: {
          name: 'scaleout',
          include: ['scaleout/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1, sequencer: AlphabeticalSequencer },
        },
      },
    ],
  },
});
