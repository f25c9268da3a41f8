import { defineConfig } from 'vitest/config';

/**
 * One suite, five projects: unit; the server tests twice, once on SQLite and once on PostgreSQL
 * (TEST_DATABASE_URL, default the machine's local server); then browser tests; then scale-out and
 * fault tests with real node processes.
 */
const serverTests = ['server/**/*.test.ts'];
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summaryReporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      // extends: true — projects inherit the root settings (timeouts, reporters); without it an
      // inline project silently falls back to Vitest's 5 s default.
      { extends: true, test: { name: 'unit', include: ['protocol/**/*.test.ts', 'widget/**/*.test.ts', 'console/**/*.test.ts'] } },
      // The SQLite run also checks every live answer against the OpenAPI document (server/testing/contractCheck.ts).
      { extends: true, test: { name: 'sqlite', include: serverTests, env: { PARLEY_TEST_DB: 'sqlite', PARLEY_CONTRACT_CHECK: '1' }, setupFiles: ['server/testing/contractSetup.ts'] } },
      // The reference client (clients/js) against a live in-process node.
      { extends: true, test: { name: 'clients', include: ['clients/**/*.test.ts'], env: { PARLEY_TEST_DB: 'sqlite' } } },
      { extends: true, test: { name: 'postgres', include: serverTests, env: { PARLEY_TEST_DB: 'postgres' } } },
      // Browser tests start real servers and Chromium: after the server suites, so timing-sensitive
      // UI waits do not compete with them for the two cores.
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false, sequence: { groupOrder: 1 } } },
      // Real node processes on the machine's PostgreSQL and Redis, with faults (kill -9, Redis and
      // PostgreSQL restarts — those on private servers of their own, scaleout/privateServices.ts, so
      // they never touch the machine's). groupOrder 2 and one file at a time: these tests load the
      // two cores, and timing-sensitive ones should not compete with the other projects.
      {
        extends: true,
        test: {
          name: 'scaleout',
          include: ['scaleout/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
