import pg from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../../paths.js';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectUnderTest, TEST_DATABASE_URL } from '../../testing/testParley.js';
import { toAppError } from '../../errors.js';
import { postgresClient, postgresDialect } from './postgres.js';

/**
 * Issue 17 (1): a node died on `Unhandled 'error' event … terminating connection due to
 * administrator command (57P01)` when PostgreSQL stopped. pg-pool listens for a client's 'error'
 * only while the client is idle in the pool; this terminates the server side of a client that is
 * checked out and between two queries — what a fast shutdown does to every connection at once.
 * Without the fix the 'error' event has no listener, and the test run reports an uncaught error.
 */
describe.runIf(dialectUnderTest() === 'postgres')('PostgreSQL connections that the server ends', () => {
  const toClose: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of toClose.splice(0)) await close().catch(() => {});
  });

  it('a checked-out client whose backend is terminated (57P01) ends nothing: its next query fails as `unavailable`, the pool goes on', async () => {
    const { dialect, pool } = postgresDialect(TEST_DATABASE_URL, { max: 2 });
    const db = new Kysely<Record<string, never>>({ dialect });
    toClose.push(() => db.destroy());
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    toClose.push(() => admin.end());

    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    await ended; // the server's FATAL 57P01 arrived and the socket closed, while the client was checked out

    const err = await client.query('select 1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, 'the dead client refuses queries').toBeInstanceOf(Error);
    expect(toAppError(err).error.code).toBe('unavailable');
    client.release(err as Error);

    // A client outside any pool, made the one way: the same termination ends nothing either.
    const heard: Error[] = [];
    const lone = postgresClient(TEST_DATABASE_URL, (e) => heard.push(e));
    toClose.push(() => lone.end());
    await lone.connect();
    const lonePid = (await lone.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const loneEnded = new Promise<void>((resolve) => lone.once('end', () => resolve()));
    await admin.query('select pg_terminate_backend($1)', [lonePid]);
    await loneEnded;
    expect(heard.length).toBeGreaterThan(0);

    // The pool replaces the dead connection.
    const { rows: after } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(after[0]!.one).toBe(1);
  });
});

describe('where PostgreSQL clients are made', () => {
  // Anything else that needs a connection of its own (LISTEN, say) takes postgresClient() from there.
  it('only this dialect creates pg clients and pools, so every one has its error listener', () => {
    const makers: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !path.includes(`${join('server', 'testing')}`)) {
          if (/new\s+(pg\.)?(Client|Pool)\s*\(|pg\.connect\s*\(/.test(readFileSync(path, 'utf8'))) makers.push(relative(ROOT, path));
        }
      }
    };
    walk(join(ROOT, 'server'));
    expect(makers, 'make pg clients with postgresClient() or postgresDialect() (storage/dialects/postgres.ts)').toEqual([join('server', 'storage', 'dialects', 'postgres.ts')]);
  });
});
