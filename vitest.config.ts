import { defineConfig } from 'vitest/config';

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
    ],
  },
});
