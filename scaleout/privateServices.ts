/**
 * Private PostgreSQL and Redis servers for the fault tests that stop and start them: each test gets
 * its own, in a temp directory on a free port, so stopping it never touches the machine's servers
 * (which every other test, and other work on the machine, is using at the same time). Missing
 * binaries fail the test loudly; nothing is skipped.
 *
 * PostgreSQL's initdb refuses to run as root, so as root the cluster is created and run as the
 * `postgres` user (runuser).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../server/testing/freePort.js';
import { sleep, waitFor } from './harness.js';

function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const file = join(root, v, 'bin', name);
    if (existsSync(file)) return file;
  }
  throw new Error(`fault tests need PostgreSQL's ${name} (Debian package postgresql) under ${root}/*/bin`);
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb and postgres refuse root). */
function asPostgres(bin: string, args: string[], timeout = 60_000): string {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(cmd as string, argv as string[], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: terminates every connection (57P01), as an operator's restart does. */
  stop(): void;
  start(): Promise<void>;
  isUp(): Promise<boolean>;
  /** Stops it (if running) and deletes its directory. */
  destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const initdb = postgresBin('initdb');
  const pgCtl = postgresBin('pg_ctl');
  const root = mkdtempSync(join(tmpdir(), 'parley-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  asPostgres(initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const logFile = join(root, 'postgres.log');
  // No fsync: these servers hold test data only, and are stopped with -m fast (a clean shutdown).
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c max_connections=100`;
  const isUp = async (): Promise<boolean> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  };
  let running = false;
  const instance: PrivatePostgres = {
    url,
    port,
    stop() {
      asPostgres(pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w']);
      running = false;
    },
    async start() {
      asPostgres(pgCtl, ['start', '-D', dataDir, '-o', options, '-l', logFile, '-w', '-t', '60']);
      running = true;
      await waitFor('private PostgreSQL up', isUp, 30_000, 100);
    },
    isUp,
    destroy() {
      if (running) {
        try {
          instance.stop();
        } catch {
          /* already stopped */
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  await instance.start();
  return instance;
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SHUTDOWN NOSAVE: every connection drops at once. */
  stop(): Promise<void>;
  start(): Promise<void>;
  isUp(): boolean;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('fault tests need redis-server (Debian package redis-server) on PATH');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  let proc: ChildProcess | null = null;
  const isUp = (): boolean => {
    try {
      return execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG';
    } catch {
      return false;
    }
  };
  const instance: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const p = proc;
      if (!p) return;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      try {
        execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 5000 });
      } catch {
        /* the connection drops as it shuts down */
      }
      await Promise.race([exited, sleep(5000).then(() => p.kill('SIGKILL'))]);
      proc = null;
    },
    async start() {
      proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
      await waitFor('private Redis up', isUp, 10_000, 50);
    },
    isUp,
    async destroy() {
      await instance.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await instance.start();
  return instance;
}
