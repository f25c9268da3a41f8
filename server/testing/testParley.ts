/**
 * Test factories: a whole Parley node in-process on a fresh database (a temp SQLite file, or a
 * fresh PostgreSQL schema when PARLEY_TEST_DB=postgres), plus tenants, agents, sessions, visitors
 * and WebSocket clients. PostgreSQL tests fail loudly when the server is missing; they never skip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import { buildParley, type Parley } from '../app.js';
import { parseEnv } from '../env.js';
import { createTenant } from '../commands/tenantCreator.js';
import { createAgent } from '../commands/agentCreator.js';
import type { Agent, Tenant } from '../storage/schema.js';
import { randomToken } from '../security/ids.js';
import { watchContract } from './contractCheck.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const dialectUnderTest = (): 'sqlite' | 'postgres' => (process.env.PARLEY_TEST_DB === 'postgres' ? 'postgres' : 'sqlite');

export interface TestParley extends Parley {
  url: string;
  origin: string;
  dataDir: string;
  /** Builds another node on the same database (for restart tests); close the first one before. */
  restart(): Promise<TestParley>;
}

export async function startTestParley(opts: { listen?: boolean; env?: Record<string, string>; pgSchema?: string; dataDir?: string; releaseGuard?: boolean; transparencyJobs?: boolean; logger?: Logger; slaJob?: boolean } = {}): Promise<TestParley> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-test-'));
  const dialect = dialectUnderTest();
  let pgSchema = opts.pgSchema;
  if (dialect === 'postgres' && !pgSchema) {
    pgSchema = 'test_' + randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect(); // throws ECONNREFUSED loudly when PostgreSQL is not running
    await client.query(`CREATE SCHEMA ${pgSchema}`);
    createdSchemas.add(pgSchema);
    // The key store's own schema (`<schema>_keys`), created by openStorage: dropped with it.
    createdSchemas.add(`${pgSchema}_keys`);
    await client.end();
  }
  const port = 0;
  const env = parseEnv({
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3999', // replaced below once the port is known
    ...(dialect === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: 'ab'.repeat(32), MASTER_KEY: 'cd'.repeat(32) } : {}),
    ...opts.env,
  });
  // The release guard (re-verification of served files on disk) runs only in tests that ask for it.
  const parley = await buildParley({ env, logger: opts.logger ?? pino({ level: 'silent' }), storage: { pgSchema }, releaseGuard: opts.releaseGuard ?? false, transparencyJobs: opts.transparencyJobs ?? false, slaJob: opts.slaJob ?? false });
  // The whole server suite doubles as the OpenAPI contract test (issue 18): see contractCheck.ts.
  if (process.env.PARLEY_CONTRACT_CHECK === '1') watchContract(parley.app);
  let url = 'http://localhost:3999';
  if (opts.listen) {
    await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = parley.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    url = `http://localhost:${addr.port}`;
  }
  // The public origin is what Origin headers are compared with; tests use the real listening one.
  env.publicUrl = url;
  env.publicOrigin = url;
  const baseClose = parley.close.bind(parley);
  const test: TestParley = {
    ...parley,
    url,
    origin: url,
    dataDir,
    async close() {
      await baseClose();
    },
    async restart() {
      return startTestParley({ ...opts, pgSchema, dataDir });
    },
  };
  return test;
}

/**
 * The tables of the application database (its own PostgreSQL schema only: the introspection lists every
 * schema, including other tests' and the key stores'), as a copy of that database would hold them.
 */
export async function mainTables(t: Parley): Promise<string[]> {
  const db = t.ctx.storage.db;
  const tables = await db.introspection.getTables();
  if (t.ctx.storage.dialect === 'sqlite') return tables.map((x) => x.name);
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return tables.filter((x) => x.schema === rows[0]!.schema).map((x) => x.name);
}

/** Drops what a test created: the temp directory or the PostgreSQL schema. */
export async function cleanupTestParley(t: TestParley): Promise<void> {
  await t.close().catch(() => {});
  rmSync(t.dataDir, { recursive: true, force: true });
}

/** Schemas this test worker created. Only those are dropped: files run in parallel workers. */
const createdSchemas = new Set<string>();

export async function dropSchemas(): Promise<void> {
  if (dialectUnderTest() !== 'postgres' || createdSchemas.size === 0) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  // Dropping every test_% schema here would pull the database from under another file still running.
  for (const name of createdSchemas) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  createdSchemas.clear();
  await client.end();
}

let seq = 0;
export async function makeTenant(t: Parley, overrides: Partial<{ slug: string; allowedOrigins: string[] }> = {}): Promise<Tenant> {
  seq++;
  return createTenant(t.ctx.storage.db, {
    slug: overrides.slug ?? `shop-${seq}-${randomToken(3).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`,
    name: `Shop ${seq}`,
    allowedOrigins: overrides.allowedOrigins ?? ['https://shop.example'],
  });
}

export const TEST_PASSWORD = 'correct horse battery staple';

export async function makeAgent(t: Parley, tenant: Tenant, role: Agent['role'] = 'agent'): Promise<Agent> {
  seq++;
  return createAgent(t.ctx.storage.db, { tenantId: tenant.id, email: `agent${seq}-${randomToken(4)}@example.com`.toLowerCase(), name: `Agent ${seq}`, role, password: TEST_PASSWORD });
}

export interface LoggedIn {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

export async function login(t: TestParley, agent: Agent): Promise<LoggedIn> {
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: TEST_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const setCookie = res.headers['set-cookie'];
  const raw = Array.isArray(setCookie) ? setCookie[0]! : String(setCookie);
  const cookie = raw.split(';')[0]!;
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

/** A tenant API key created through the admin API by a signed-in admin; returns the key (`pk_…`). */
export async function makeApiKey(t: TestParley, admin: LoggedIn, scopes: string[]): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/admin/api-keys', headers: admin.headers, payload: { name: 'integration', scopes } });
  if (res.statusCode !== 201) throw new Error(`API key creation failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

export async function visitorSession(t: TestParley, tenant: Tenant, extra: Record<string, string> = {}): Promise<{ token: string; visitorId: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: tenant.widget_key, ...extra } });
  if (res.statusCode !== 200) throw new Error(`session failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A WebSocket client that records frames and lets a test await the next frame of a type. */
export class TestSocket {
  readonly frames: Array<Record<string, any>> = [];
  private waiters: Array<{ pred: (f: Record<string, any>) => boolean; resolve: (f: Record<string, any>) => void }> = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, any>;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(t: TestParley, path: '/ws/visitor' | '/ws/agent', opts: { cookie?: string; origin?: string; apiKey?: string } = {}): Promise<TestSocket> {
    const ws = new WebSocket(t.url.replace('http', 'ws') + path, {
      headers: { origin: opts.origin ?? t.origin, ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
    });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', () => resolve());
    });
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or coming) matching pred, within `ms`. */
  next(pred: string | ((f: Record<string, any>) => boolean), ms = 5000): Promise<Record<string, any>> {
    const p = typeof pred === 'string' ? (f: Record<string, any>) => f.type === pred : pred;
    const seen = this.frames.find(p);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames).slice(0, 500)}`)), ms);
      this.waiters.push({
        pred: p,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
