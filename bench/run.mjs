#!/usr/bin/env node
// `npm run bench` (after a build): Parley on one SQLite node and on two PostgreSQL+Redis nodes,
// against a bare `ws` relay, a plain Socket.IO relay, and that Socket.IO relay storing each message in
// SQLite (the same work done the plain way), in one run, on this machine.
// Load generators run in separate processes; latency is recorded with HdrHistogram.
// BENCH_SCALE (default 1) scales connection counts and durations; see docs/BENCHMARKS.md.
import { fork, spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { measureLoaderCost } from './loaderCost.mjs';
import { measureRedaction } from './redaction.mjs';
import { breakdown, snapshot } from './costs.mjs';
import { costTable, saveRun } from './report.mjs';

const ROOT = join(import.meta.dirname, '..');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ORIGIN = 'http://bench.local';
// The container's open-file hard limit caps one server process's sockets (each needs one fd).
const FD_LIMIT = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 20_000;
const IDLE_TARGET = Number(process.env.BENCH_IDLE ?? Math.round(Math.min(20_000 * SCALE, FD_LIMIT - 500)));
const SENDERS = Number(process.env.BENCH_SENDERS ?? Math.max(20, Math.round(600 * SCALE)));
const MEASURE_MS = Math.max(3000, Math.round(8000 * Math.min(SCALE, 1)));
// The fixed rate of the latency phase (DESIGN.md's budget is at 1,000/s; BENCH_RATE for profiling at other loads).
const RATE = Number(process.env.BENCH_RATE ?? 1000);
// Before each measurement: every sender's first message opens a conversation (100 or 600 at once),
// a burst the two-node system took 2–8 s to absorb; measured from 2 s, its fixed-rate phase sometimes
// measured that backlog instead of the steady rate.
const WARM_UP_MS = 5000;
const LOADGENS = 2;
// BENCH_PHASES=idle,rate,max (default all, run in that order): a subset for quick iterations, e.g. BENCH_PHASES=rate,max.
const PHASES = new Set((process.env.BENCH_PHASES ?? 'idle,rate,max').split(',').map((s) => s.trim()));
// Built code when dist/ is current (npm run bench builds first); otherwise the sources through tsx.
const FROM_SOURCE = process.env.BENCH_FROM_SOURCE === '1' || !existsSync(join(ROOT, 'dist', 'server', 'cli', 'main.js'));
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
// The node runs with the flags `npm start` gives it (package.json), so the bench measures what is deployed.
const START_FLAGS = /\bnode ((?:--\S+ )*)dist\/server\/main\.js/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start)?.[1].split(' ').filter(Boolean);
if (!START_FLAGS) throw new Error("package.json's start script no longer reads `node [--flags] dist/server/main.js`: tell bench/run.mjs how the node starts");
const SERVER_ARGS = [...START_FLAGS, ...NODE_ARGS, ...(FROM_SOURCE ? ['--import', 'tsx', 'server/main.ts'] : ['dist/server/main.js'])];
const CLI_ARGS = FROM_SOURCE
  ? ['--import', 'tsx', '--input-type=module', '-e', "const { runCli } = await import('./server/cli/main.ts'); process.exit(await runCli(process.argv.slice(1)));"]
  : ['bin/parley.js'];
const children = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);

process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rss(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
}

function startProcess(args, env, readyText, cwd = ROOT) {
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  if (!readyText) return { proc, out: () => out };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 30_000);
    proc.stdout.on('data', () => {
      if (out.includes(readyText)) {
        clearTimeout(t);
        resolve({ proc, out: () => out });
      }
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

async function stopProcess(p) {
  if (!p) return;
  p.proc.removeAllListeners('exit');
  const exited = new Promise((r) => p.proc.once('exit', r));
  p.proc.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  p.proc.kill('SIGKILL');
  children.delete(p.proc);
}

class LoadGen {
  constructor() {
    this.proc = fork(join(ROOT, 'bench', 'loadgen.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(this.proc);
    this.pending = new Map();
    this.seq = 0;
    this.ready = new Promise((r) => this.proc.on('message', (m) => (m.ready ? r() : this.pending.get(m.id)?.(m))));
  }
  call(cmd, args = {}) {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.proc.send({ id, cmd, ...args });
    });
  }
  kill() {
    this.proc.kill('SIGKILL');
    children.delete(this.proc);
  }
}

// ---------- systems under test ----------

const RELAY_NAMES = { ws: 'bare ws relay', sio: 'Socket.IO relay', 'sio-sqlite': 'Socket.IO relay + SQLite' };

async function startRelay(kind) {
  const port = await freePort();
  const dataDir = kind === 'sio-sqlite' ? mkdtempSync(join(tmpdir(), 'parley-bench-relay-')) : null;
  // The same node flags as Parley's nodes: the ratios compare the programs, not their runtime settings.
  const p = await startProcess([...START_FLAGS, 'bench/relays.mjs', kind, String(port), ...(dataDir ? [join(dataDir, 'relay.db')] : [])], {}, 'RELAY_LISTENING');
  const target = { kind: kind === 'ws' ? 'ws' : 'sio', url: `http://127.0.0.1:${port}` };
  const stop = async () => {
    await stopProcess(p);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  // Its idle sockets are the Socket.IO relay's (nothing is stored on connect): not measured twice.
  // sio-sqlite commits (and fsyncs) once per message, by construction.
  return { name: RELAY_NAMES[kind], nodes: [p], visitorTargets: [target], agentTargets: [target], stop, skipIdle: kind === 'sio-sqlite', commitPerMessage: kind === 'sio-sqlite' };
}

function cli(args, env, cwd = ROOT) {
  return execFileSync(process.execPath, [...CLI_ARGS, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
}

/**
 * `publicUrl(port)`: the node's PUBLIC_URL (default ORIGIN, which the generators send as Origin);
 * `origins`: the bench tenant's allowed site origins.
 */
async function startParley(kind, { publicUrl = () => ORIGIN, origins = 'https://shop.example', root = ROOT, label = '' } = {}) {
  const secret = 'ab'.repeat(32);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  let dbName = null;
  const common = { DATA_DIR: dataDir, DEMO: 'false', RATE_LIMITS: 'off', LOG_LEVEL: 'warn', SECRET_KEY: secret, MASTER_KEY: 'cd'.repeat(32) };
  if (kind === 'postgres') {
    dbName = 'bench_' + Date.now().toString(36);
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(PG_URL);
    u.pathname = '/' + dbName;
    Object.assign(common, { DATABASE_URL: u.toString(), REDIS_URL });
  }
  cli(['migrate'], common, root);
  const tenant = JSON.parse(cli(['tenant:create', '--slug', 'bench', '--name', 'Bench', '--origins', origins], common, root));
  const created = cli(['agent:create', '--tenant', 'bench', '--email', 'bench@example.com', '--name', 'Bench Agent'], common, root);
  const password = /password \(shown once\): (\S+)/.exec(created)[1];
  const nodes = [];
  for (let i = 0; i < (kind === 'postgres' ? 2 : 1); i++) {
    const port = await freePort();
    const p = await startProcess(SERVER_ARGS, { ...common, PORT: String(port), PUBLIC_URL: publicUrl(port), NODE_ID: `bench${i}` }, null, root);
    const url = `http://127.0.0.1:${port}`;
    for (let t = 0; ; t++) {
      const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (t > 300) throw new Error(`parley node did not become healthy:\n${p.out()}`);
      await sleep(100);
    }
    nodes.push({ ...p, url });
  }
  const url = nodes[nodes.length - 1].url;
  const pgUrl = common.DATABASE_URL ?? null;
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: publicUrl(new URL(url).port) }, body: JSON.stringify({ email: 'bench@example.com', password }) });
  if (login.status !== 200) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  // Distinct visitors (idle sockets reuse them round-robin).
  const tokens = [];
  const nTokens = Math.min(1000, SENDERS);
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (tokens.length < nTokens) {
        const r = await fetch(`${nodes[tokens.length % nodes.length].url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: tenant.widgetKey, name: 'Bench visitor' }) });
        tokens.push((await r.json()).token);
      }
    }),
  );
  const targets = nodes.map((n) => ({ kind: 'parley', url: n.url, origin: ORIGIN, tokens, cookie }));
  return {
    name: (kind === 'postgres' ? 'Parley, 2 nodes, PostgreSQL + Redis' : 'Parley, 1 node, SQLite') + label,
    nodes,
    cookie,
    visitorTargets: targets,
    agentTargets: [targets[targets.length - 1]],
    pgUrl,
    redisUrl: pgUrl ? REDIS_URL : null,
    // The database is seconds old: without statistics PostgreSQL's planner picks poor indexes (a
    // tenant's whole conversation list scanned per message). Autovacuum analyzes new tables within
    // about a minute in a real installation; here it is done explicitly, once the warm-up has
    // created the conversations, so the measurement shows that steady state.
    async afterWarmUp() {
      if (!dbName) return;
      const u = new URL(PG_URL);
      u.pathname = '/' + dbName;
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      await c.query('ANALYZE');
      await c.end();
    },
    async stop() {
      for (const n of nodes) await stopProcess(n);
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      }
    },
  };
}

// ---------- measurements ----------

const totalRss = (sys) => sys.nodes.reduce((n, p) => n + rss(p.proc.pid), 0);

async function idle(sys) {
  const gens = Array.from({ length: LOADGENS }, () => new LoadGen());
  await Promise.all(gens.map((g) => g.ready));
  await sleep(500);
  const before = totalRss(sys);
  const t0 = Date.now();
  const results = await Promise.all(gens.map((g, i) => g.call('idle', { targets: sys.visitorTargets, count: Math.floor(IDLE_TARGET / LOADGENS) + (i === 0 ? IDLE_TARGET % LOADGENS : 0), first: i * Math.floor(IDLE_TARGET / LOADGENS) })));
  const open = results.reduce((n, r) => n + r.open, 0);
  const seconds = (Date.now() - t0) / 1000;
  await sleep(2000);
  const after = totalRss(sys);
  await Promise.all(gens.map((g) => g.call('stop')));
  gens.forEach((g) => g.kill());
  return { target: IDLE_TARGET, open, failed: results.reduce((n, r) => n + r.failed, 0), seconds, bytesPerConnection: open ? Math.round((after - before) / open) : null, rssMB: after / 1e6 };
}

async function traffic(sys, mode) {
  const agentGen = new LoadGen();
  const gens = Array.from({ length: LOADGENS }, () => new LoadGen());
  await Promise.all([agentGen, ...gens].map((g) => g.ready));
  await agentGen.call('agent', { targets: sys.agentTargets });
  // At the fixed rate: 100 visitors × 10 msg/s (more visitors above 1,000/s), inside Parley's per-socket frame limit (20/s).
  const senders = mode === 'max' ? SENDERS : Math.max(100, Math.ceil(RATE / 10));
  const perSocket = RATE / senders;
  await Promise.all(gens.map((g, i) => g.call('senders', { targets: sys.visitorTargets, count: Math.floor(senders / LOADGENS), first: i * Math.floor(senders / LOADGENS), mode, window: 2, perSocketMax: 18, perSocket })));
  await sleep(WARM_UP_MS);
  await sys.afterWarmUp?.();
  await Promise.all([agentGen, ...gens].map((g) => g.call('reset')));
  const t0 = Date.now();
  const costsBefore = await snapshot(sys);
  await sleep(MEASURE_MS);
  const costsAfter = await snapshot(sys);
  const seconds = (Date.now() - t0) / 1000;
  const [agent, ...stats] = await Promise.all([agentGen, ...gens].map((g) => g.call('stats')));
  await Promise.all([agentGen, ...gens].map((g) => g.call('stop')));
  [agentGen, ...gens].forEach((g) => g.kill());
  // The agent socket was closed: what the nodes logged (warn and above) says why.
  if (agent.closes) for (const n of sys.nodes) log(`agent socket closed (${agent.closeCodes.join(', ')}); node log:\n${n.out?.().slice(-3000) ?? ''}`);
  const acked = stats.reduce((n, s) => n + s.acked, 0);
  const errors = stats.reduce((n, s) => n + (s.errors ?? 0), 0);
  // Per message committed: the generators' CPU is summed over all of them (the agent's too).
  const cost = breakdown(costsBefore, costsAfter, acked, [agent, ...stats].reduce((n, s) => n + s.cpuSeconds, 0));
  if (sys.commitPerMessage) cost.fsyncsPerSecond = Math.round(acked / seconds);
  return { mode, senders, ackedPerSecond: Math.round(acked / seconds), sendErrors: errors, deliveredPerSecond: Math.round(agent.received / seconds), p50: agent.p50, p99: agent.p99, p999: agent.p999, max: agent.max, agentDisconnects: agent.closes, ...(agent.closes ? { agentCloseCodes: agent.closeCodes } : {}), cost };
}

function sizes() {
  const pub = join(ROOT, 'dist', 'public');
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const frameFiles = walk(join(pub, 'widget', 'frame'));
  return { loaderGzip: gz(join(pub, 'widget', 'loader.js')), frameGzip: frameFiles.reduce((n, f) => n + gz(f), 0), frameFiles: frameFiles.length };
}

// ---------- run ----------

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGB: +(totalmem() / 1e9).toFixed(1),
  node: process.version,
  fdLimit: FD_LIMIT,
  scale: SCALE,
  parleyFrom: FROM_SOURCE ? 'sources (tsx)' : 'dist/',
  nodeFlags: START_FLAGS,
  // Others' work on the machine moves messages/s; CPU µs per message (each phase's `cost`) much less.
  loadAverage: loadavg().map((l) => +l.toFixed(2)),
};
log('machine', machine);
const results = [];
// BENCH_BASELINE_DIR: another checkout of Parley, built (npm run build there), measured in the same run
// as systems sqlitebase and postgresbase, so a change is stated as before/after on the same machine.
const BASELINE = process.env.BENCH_BASELINE_DIR;
const baselineLabel = () => ` (baseline ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BASELINE, encoding: 'utf8' }).trim()})`;
const baseline = (kind) => {
  if (!BASELINE || !existsSync(join(BASELINE, 'dist', 'server', 'main.js'))) throw new Error('BENCH_BASELINE_DIR must name a built checkout of Parley');
  return startParley(kind, { root: BASELINE, label: baselineLabel() });
};
const SYSTEMS = {
  ws: () => startRelay('ws'),
  sio: () => startRelay('sio'),
  siosqlite: () => startRelay('sio-sqlite'),
  sqlite: () => startParley('sqlite'),
  postgres: () => startParley('postgres'),
  sqlitebase: () => baseline('sqlite'),
  postgresbase: () => baseline('postgres'),
};
const only = (process.env.BENCH_ONLY ?? `ws,sio,siosqlite,sqlite,postgres,${BASELINE ? 'sqlitebase,postgresbase,' : ''}loader,redaction`).split(',');
const unknown = only.filter((k) => k !== 'loader' && k !== 'redaction' && !SYSTEMS[k]);
if (unknown.length) throw new Error(`BENCH_ONLY: unknown system ${unknown.join(', ')} (known: ${Object.keys(SYSTEMS).join(', ')}, loader, redaction)`);
for (const make of only.filter((k) => k !== 'loader' && k !== 'redaction').map((k) => SYSTEMS[k])) {
  const sys = await make();
  log('system:', sys.name);
  const r = { name: sys.name };
  try {
    if (PHASES.has('idle') && !sys.skipIdle) log(' idle', (r.idle = await idle(sys)));
    // The fixed rate before the saturating phase: measured after it, the rate phase measured the
    // node catching up with the burst (SQLite: its WAL checkpoint backlog), not a steady 1,000/s.
    if (PHASES.has('rate')) log(` latency at ${RATE}/s`, (r.rate = await traffic(sys, 'rate')));
    if (PHASES.has('max')) log(' throughput', (r.max = await traffic(sys, 'max')));
  } finally {
    await sys.stop();
  }
  results.push(r);
}

/** The embed snippet's main-thread cost on a host page (bench/loaderCost.mjs), against one Parley node. */
async function loaderCost() {
  const hostPort = await freePort();
  const sys = await startParley('sqlite', { publicUrl: (port) => `http://127.0.0.1:${port}`, origins: `http://localhost:${hostPort}` });
  try {
    const res = await fetch(`${sys.nodes[0].url}/api/tenant/embed`, { headers: { cookie: sys.cookie } });
    if (res.status !== 200) throw new Error(`embed snippet: ${res.status} ${await res.text()}`);
    const { snippet } = await res.json();
    const key = /data-parley-key="([^"]+)"/.exec(snippet)[1];
    const frameUrl = `${sys.nodes[0].url}/widget/frame/?key=${encodeURIComponent(key)}&host=${encodeURIComponent(`http://localhost:${hostPort}`)}`;
    return await measureLoaderCost({ snippet, frameUrl, hostPort, runs: Number(process.env.BENCH_LOADER_ROUNDS) || Math.max(8, Math.round(24 * Math.min(SCALE, 1))), attributionRounds: Number(process.env.BENCH_LOADER_TRACE_ROUNDS ?? Math.max(8, Math.round(20 * Math.min(SCALE, 1)))), oneProcess: process.env.BENCH_LOADER_ONE_PROCESS === '1' });
  } finally {
    await sys.stop();
  }
}
const loader = only.includes('loader') ? await loaderCost() : null;
if (loader) log('loader main-thread cost', JSON.stringify(loader));

// The card redactor on the event loop (bench/redaction.mjs): before/after issue 15, same messages.
const redaction = only.includes('redaction') ? await measureRedaction({ ms: Math.max(1000, Math.round(3000 * Math.min(SCALE, 1))) }) : null;
if (redaction) log('redaction', JSON.stringify(redaction));

const ws = results.find((r) => r.name === RELAY_NAMES.ws);
const sio = results.find((r) => r.name === RELAY_NAMES.sio);
const sioStoring = results.find((r) => r.name === RELAY_NAMES['sio-sqlite']);
const parleys = results.filter((r) => r.name.startsWith('Parley'));
const baselineOf = (p) => results.find((r) => r !== p && r.name.startsWith(p.name + ' (baseline'));
const ratio = (a, b) => (a != null && b ? +(a / b).toFixed(2) : null);
machine.loadAverageAtEnd = loadavg().map((l) => +l.toFixed(2));
const report = {
  finishedAt: new Date().toISOString(),
  only,
  phases: [...PHASES],
  machine,
  sizes: sizes(),
  loaderMainThread: loader,
  redaction,
  settings: { idleTarget: IDLE_TARGET, senders: SENDERS, measureMs: MEASURE_MS, rate: RATE },
  results,
  ratios: Object.fromEntries(
    parleys.map((p) => [
      p.name,
      {
        throughputVsWs: ratio(p.max?.deliveredPerSecond, ws?.max?.deliveredPerSecond),
        throughputVsSocketIo: ratio(p.max?.deliveredPerSecond, sio?.max?.deliveredPerSecond),
        throughputVsSocketIoSqlite: ratio(p.max?.deliveredPerSecond, sioStoring?.max?.deliveredPerSecond),
        p99VsWs: ratio(p.rate?.p99, ws?.rate?.p99),
        p99VsSocketIo: ratio(p.rate?.p99, sio?.rate?.p99),
        p99VsSocketIoSqlite: ratio(p.rate?.p99, sioStoring?.rate?.p99),
        memoryPerIdleVsWs: ratio(p.idle?.bytesPerConnection, ws?.idle?.bytesPerConnection),
        memoryPerIdleVsSocketIo: ratio(p.idle?.bytesPerConnection, sio?.idle?.bytesPerConnection),
        ...(baselineOf(p)
          ? {
              throughputVsBaseline: ratio(p.max?.deliveredPerSecond, baselineOf(p).max?.deliveredPerSecond),
              p99VsBaseline: ratio(p.rate?.p99, baselineOf(p).rate?.p99),
              serverCpuPerMessageVsBaseline: ratio(p.max?.cost?.cpuMicrosPerMessage?.serverTotal, baselineOf(p).max?.cost?.cpuMicrosPerMessage?.serverTotal),
            }
          : {}),
      },
    ]),
  ),
};
const table = [
  '| system | idle sockets (target) | bytes/idle socket | msgs/s delivered (acked) | p50 / p99 / p99.9 ms at ' + RATE + '/s |',
  '|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.idle ? `${r.idle.open} (${r.idle.target})` : '–'} | ${r.idle?.bytesPerConnection ?? '–'} | ${r.max ? `${r.max.deliveredPerSecond} (${r.max.ackedPerSecond})` : '–'} | ${r.rate ? `${r.rate.p50.toFixed(2)} / ${r.rate.p99.toFixed(2)} / ${r.rate.p999.toFixed(2)}` : '–'} |`,
  ),
];
console.log(table.join('\n'));
console.log('\nCPU µs per message committed, by thread and process (CPU time, not wall-clock: little moved by other load on the machine), bytes written per message, fsyncs per second:');
console.log(costTable(results));
console.log('\nratios', JSON.stringify(report.ratios, null, 2));
if (redaction) {
  const sqlite = results.find((r) => r.name.startsWith('Parley') && r.max)?.max?.deliveredPerSecond;
  const share = (us) => (sqlite ? `${((us * sqlite) / 1e4).toFixed(2)} % of one core at ${sqlite} msgs/s` : 'n/a');
  console.log(`\nredaction (${redaction.messages} realistic messages, ${redaction.averageChars} chars on average), messages/s | MB/s | µs per message | share of the message path:`);
  for (const k of ['before', 'after', 'afterWithContinuation', 'adversarial', 'slowestAtLimit']) {
    const what = { adversarial: '(one 3,500-char message: 500 groups of 4 digits)', slowestAtLimit: `(the slowest hostile 16,000-char body, bench/hostileRedaction.mjs: ${redaction[k].input})` }[k];
    console.log(`| ${k} | ${redaction[k].messagesPerSecond} | ${redaction[k].mbPerSecond} | ${redaction[k].microsPerMessage} | ${what ?? share(redaction[k].microsPerMessage)} |`);
  }
}
console.log('\nsizes (gzip -9): loader', report.sizes.loaderGzip, 'B; frame', report.sizes.frameGzip, 'B in', report.sizes.frameFiles, 'files');
if (loader) {
  const l = loader.siteIsolated;
  const c = l.closedChatCpu;
  console.log(`\nhost page, chat closed: main-thread CPU time (ThreadTime), ms, medians of ${l.rounds} first visits per arm (order rotated each round)`);
  console.log('| arm | CPU ms | wall-clock task ms | script | layout | style |\n|---|---|---|---|---|---|');
  for (const [arm, name] of [['none', 'page alone'], ['empty', 'page + empty third-party script (same tag)'], ['snippet', 'page + Parley snippet'], ['iframe', 'page + bare cross-origin iframe']]) {
    const m = l.mediansMs[arm];
    console.log(`| ${name} | ${m.ThreadTime} | ${m.TaskDuration} | ${m.ScriptDuration} | ${m.LayoutDuration} | ${m.RecalcStyleDuration} |`);
  }
  console.log(`closed-chat ratio (paired per round, median): snippet ÷ page alone ${c.snippetVsPageAlone} (quartiles ${c.snippetVsPageAloneQuartiles.join('–')}; ratio of medians ${c.snippetVsPageAloneOfMedians}; goal ≤ 1.1); snippet ÷ page with bare iframe ${c.snippetVsBareIframe}; bare iframe ÷ page alone ${c.bareIframeVsPageAlone}; empty script ÷ page alone ${c.emptyScriptVsPageAlone}; snippet ÷ empty script ${c.snippetVsEmptyScript}`);
  console.log(`wall-clock task time, same visits: snippet ÷ page alone ${l.closedChatWallClock.snippetVsPageAlone}, snippet ÷ bare iframe ${l.closedChatWallClock.snippetVsBareIframe}`);
  const own = l.loaderScriptMs;
  console.log(`the loader's own script on the page's main thread (traced, median): ${own.total} ms (evaluation ${own.evaluation}, listeners ${own.listeners}; ÷ 5 ms budget: ${ratio(own.total, 5)})`);
  const t = l.attribution;
  if (t) {
    // Which work the loader adds: per trace event, its self CPU time on the page's main thread with the
    // snippet less that with the same tag and an empty script (paired per round, median).
    console.log(`where the snippet's main-thread time goes beyond the empty script's (traced, self CPU ms per event, medians of ${t.rounds} rounds; traced busy time ${t.busy.snippet} vs ${t.busy.empty}, +${t.busy.added}):`);
    console.log('| trace event | snippet | empty script | added |\n|---|---|---|---|');
    for (const r of t.byEvent) console.log(`| ${r.name} | ${r.snippet ?? ''} | ${r.empty ?? ''} | ${r.added} |`);
  }
  if (loader.oneProcess) console.log(`one process for page and frames: snippet ÷ page alone ${loader.oneProcess.closedChatCpu.snippetVsPageAlone}, snippet ÷ bare iframe ${loader.oneProcess.closedChatCpu.snippetVsBareIframe}`);
}
console.log('\nJSON ' + JSON.stringify(report));
log('saved to', saveRun(report, process.env.BENCH_OUT ?? join(ROOT, 'docs', 'bench')));
process.exit(0);
