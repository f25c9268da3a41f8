/**
 * Scale-out harness: real `parley` processes on the machine's PostgreSQL and Redis (or SQLite),
 * a fresh PostgreSQL schema per test, direct database access for seeding and verification, and
 * protocol clients that reconnect and resume exactly as the browser apps do. Missing PostgreSQL or
 * Redis fails the tests loudly; nothing is skipped.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { openStorage, type Storage } from '../server/storage/db.js';
import { createTenant } from '../server/commands/tenantCreator.js';
import { createAgent } from '../server/commands/agentCreator.js';
import { randomToken } from '../server/security/ids.js';
import { freePort } from '../server/testing/freePort.js';
import type { Agent, Tenant } from '../server/storage/schema.js';
import type { ProtoClient } from './protoClient.js';

export const ROOT = join(import.meta.dirname, '..');
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SECRET_KEY = 'cd'.repeat(32);
/** Envelope-encryption master key (required with DATABASE_URL once encryption at rest is in). */
export const MASTER_KEY = 'ef'.repeat(32);
/** Every node shares one public origin, as behind a load balancer. */
export const PUBLIC_URL = 'http://parley.test';
export const ORIGIN = PUBLIC_URL;
export const PASSWORD = 'correct horse battery staple';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 20_000, every = 50): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** Throws (the test fails) when PostgreSQL or Redis is not running. */
export async function requireServices(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`scale-out tests need PostgreSQL at ${DATABASE_URL}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') throw new Error('no PONG');
  } catch (err) {
    throw new Error(`scale-out tests need Redis at ${REDIS_URL}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

export interface Cluster {
  storage: Storage;
  schema: string | null;
  /** The PostgreSQL server of this cluster (the machine's, or a private one: privateServices.ts). */
  databaseUrl: string;
  dataDir: string;
  tenant: Tenant;
  agent: Agent;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema (migrated) or SQLite data directory, with one tenant and one agent. */
export interface ClusterOptions {
  /** Another PostgreSQL server than the machine's (privateServices.ts). */
  databaseUrl?: string;
  /** Where the data directory is created (default the system temp directory). */
  under?: string;
}

export async function freshCluster(kind: 'postgres' | 'sqlite', opts: ClusterOptions = {}): Promise<Cluster> {
  const databaseUrl = opts.databaseUrl ?? DATABASE_URL;
  const dataDir = mkdtempSync(join(opts.under ?? tmpdir(), 'parley-scaleout-'));
  let schema: string | null = null;
  if (kind === 'postgres') {
    schema = 'scaleout_' + randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
  }
  const storage = await openStorage(kind === 'postgres' ? { databaseUrl, dataDir, pgSchema: schema! } : { databaseUrl: null, dataDir });
  const tenant = await createTenant(storage.db, { slug: 'scale-' + randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x'), name: 'Scale Shop', allowedOrigins: ['https://shop.example'] });
  const agent = await createAgent(storage.db, { tenantId: tenant.id, email: `agent-${randomToken(4).toLowerCase()}@example.com`.replace(/[^a-z0-9@.-]/g, 'x'), name: 'Agent Smith', role: 'agent', password: PASSWORD });
  const cluster: Cluster = {
    storage,
    schema,
    databaseUrl,
    dataDir,
    tenant,
    agent,
    async drop() {
      await cluster.storage.close().catch(() => {});
      if (schema) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS ${schema}_keys CASCADE`); // the key store's (storage/keyStore.ts)
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface NodeProcess {
  proc: ChildProcess;
  url: string;
  port: number;
  name: string;
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  pid: number;
}

const running = new Set<NodeProcess>();

/** Starts `parley` (server code from source via tsx) and waits until it listens. */
export async function startNode(
  cluster: Pick<Cluster, 'schema' | 'dataDir'> & { databaseUrl?: string },
  opts: { name: string; redis?: boolean | string; port?: number; env?: Record<string, string>; waitUntil?: 'listening' | 'spawned' },
): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL,
    DATA_DIR: cluster.dataDir,
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    NODE_ID: opts.name,
    SECRET_KEY,
    MASTER_KEY,
    RATE_LIMITS: 'off',
    ...(cluster.schema ? { DATABASE_URL: cluster.databaseUrl ?? DATABASE_URL, PARLEY_PG_SCHEMA: cluster.schema } : {}),
    ...(opts.redis ? { REDIS_URL: typeof opts.redis === 'string' ? opts.redis : REDIS_URL } : {}),
    ...opts.env,
  };
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'scaleout/node.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  // 'spawned': the caller watches /healthz itself (a node booting while its database is down).
  if (opts.waitUntil !== 'spawned') await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${opts.name} did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (out.includes('PARLEY_LISTENING')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node ${opts.name} exited with ${code}:\n${out}`));
    });
  });
  const node: NodeProcess = {
    proc,
    url: `http://127.0.0.1:${port}`,
    port,
    name: opts.name,
    pid: proc.pid!,
    output: () => out,
    exited,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
      running.delete(node);
    },
  };
  running.add(node);
  return node;
}

/** Kills every node a test left running (afterEach). */
export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map((n) => n.kill('SIGKILL')));
}

/**
 * For the tests of one describe block: `newCluster` makes each test's fresh cluster and `clients`
 * holds the protocol clients it opens. After each test the clients are stopped, every node is killed,
 * `beforeDrop` runs (when given) and the cluster is dropped.
 */
export function clusterPerTest(beforeDrop?: () => Promise<void>): { clients: ProtoClient[]; newCluster: (kind: 'postgres' | 'sqlite', opts?: ClusterOptions) => Promise<Cluster> } {
  let cluster: Cluster | null = null;
  const clients: ProtoClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.stop();
    await stopAllNodes();
    await beforeDrop?.();
    await cluster?.drop();
    cluster = null;
  });
  return { clients, newCluster: async (kind, opts) => (cluster = await freshCluster(kind, opts)) };
}

/** Memory a node holds after a full GC: heap plus off-heap buffers (where socket write queues live). */
export async function memoryAfterGc(node: NodeProcess): Promise<{ heapUsed: number; external: number; arrayBuffers: number; rss: number; total: number }> {
  const before = node.output().length;
  node.proc.kill('SIGUSR2');
  await waitFor('memory report', () => node.output().slice(before).includes('PARLEY_MEMORY'), 5000, 20);
  const line = /PARLEY_MEMORY (\{.*\})/.exec(node.output().slice(before))![1]!;
  const m = JSON.parse(line) as { heapUsed: number; external: number; arrayBuffers: number; rss: number };
  return { ...m, total: m.heapUsed + m.external };
}

/** Resident memory of a process in bytes (Linux). */
export function rssOf(pid: number): number {
  const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

export async function visitorToken(node: NodeProcess, tenant: Tenant, name = 'Visitor'): Promise<string> {
  const res = await fetch(`${node.url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: tenant.widget_key, name }) });
  if (res.status !== 200) throw new Error(`widget session: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function agentLogin(node: NodeProcess, agent: Agent): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${node.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email: agent.email, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}
