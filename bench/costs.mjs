// The cost of one message, per thread and per process, for `npm run bench` (bench/run.mjs): CPU
// time rather than wall-clock time, because CPU per message hardly moves when other work shares the
// machine, while messages per second do. Read before and after each measured phase:
//   - each server process: its main thread (the event loop) and the whole process from
//     /proc/<pid>/task/<pid>/stat and /proc/<pid>/stat; for Parley, its SQLite writer and
//     checkpointer threads, commits and checkpoints from its /metrics (server/storage/threadStats.ts:
//     every Node.js thread is called "node", so each thread names itself there); bytes it caused to
//     be written to storage from /proc/<pid>/io (write_bytes);
//   - PostgreSQL: the CPU of the backends connected to the bench database (pg_stat_activity's pids,
//     /proc/<pid>/stat) and of its WAL writer, checkpointer and background writer; WAL bytes and WAL
//     fsyncs from pg_stat_wal (cluster-wide: anything else using this server counts too);
//   - Redis: used_cpu_user + used_cpu_sys from INFO (the whole server);
//   - the load generators' own CPU (process.cpuUsage, reported by bench/loadgen.mjs).
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import pg from 'pg';

const TICKS = 100; // USER_HZ

function cpuOfStat(path) {
  try {
    const stat = readFileSync(path, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return null;
  }
}

function writeBytes(pid) {
  try {
    return Number(/write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);
  } catch {
    return null;
  }
}

/** `name{labels} value` lines of a Prometheus exposition → { 'name{labels}': value }. */
function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

function redisInfoCpu(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection(Number(u.port || 6379), u.hostname);
    let data = '';
    s.on('error', () => resolve(null));
    s.on('connect', () => s.write('INFO cpu\r\n'));
    s.on('data', (d) => {
      data += d;
      if (/used_cpu_user:[\d.]+/.test(data) && /used_cpu_sys:[\d.]+/.test(data)) {
        s.destroy();
        resolve(Number(/used_cpu_user:([\d.]+)/.exec(data)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(data)[1]));
      }
    });
    setTimeout(() => (s.destroy(), resolve(null)), 2000);
  });
}

/**
 * A snapshot of a system's counters. `sys.nodes` are its server processes (with `url` for Parley
 * nodes), `sys.pgUrl` its PostgreSQL database, `sys.redisUrl` its Redis.
 */
export async function snapshot(sys) {
  const nodes = await Promise.all(
    sys.nodes.map(async (n) => {
      const pid = n.proc.pid;
      const s = { eventLoop: cpuOfStat(`/proc/${pid}/task/${pid}/stat`), process: cpuOfStat(`/proc/${pid}/stat`), writeBytes: writeBytes(pid) };
      if (n.url) {
        const m = await fetch(`${n.url}/metrics`).then((r) => r.text()).then(parseMetrics, () => ({}));
        s.writer = m['parley_thread_cpu_seconds_total{thread="sqlite_writer"}'] ?? null;
        s.checkpointer = m['parley_thread_cpu_seconds_total{thread="sqlite_checkpointer"}'] ?? null;
        s.commits = m['parley_sqlite_commits_total'] ?? null;
        s.checkpoints = m['parley_sqlite_checkpoints_total'] ?? null;
        // Visitor messages by how long the node took (cumulative histogram buckets): accepted -> committed,
        // and accepted -> written to an agent socket. Over a phase they say whether a p99 comes from the
        // commit, from the node after it, or from outside the node (the network, the load generators).
        const committed = pick(m, 'parley_message_commit_seconds_count', ['author="visitor"']);
        const delivered = pick(m, 'parley_message_delivery_seconds_count', []);
        s.visitorCommitted = committed;
        s.commitOver5ms = over(pick(m, 'parley_message_commit_seconds_bucket', ['le="0.005"', 'author="visitor"']), committed);
        s.commitOver10ms = over(pick(m, 'parley_message_commit_seconds_bucket', ['le="0.01"', 'author="visitor"']), committed);
        s.delivered = delivered;
        s.deliveryOver10ms = over(pick(m, 'parley_message_delivery_seconds_bucket', ['le="0.01"']), delivered);
        // prom-client resets its event-loop delay histogram at each scrape: the reading after a phase covers that phase.
        // Its samples are the intervals of a 10 ms timer: the delay is what exceeds the shortest one.
        s.loopDelayP99 = m['nodejs_eventloop_lag_p99_seconds'] != null ? m['nodejs_eventloop_lag_p99_seconds'] - (m['nodejs_eventloop_lag_min_seconds'] ?? 0) : null;
      }
      return s;
    }),
  );
  const out = { at: performance.now(), nodes };
  if (sys.pgUrl) {
    const c = new pg.Client({ connectionString: sys.pgUrl });
    await c.connect();
    const db = new URL(sys.pgUrl).pathname.slice(1);
    const { rows } = await c.query(
      `select pid, backend_type from pg_stat_activity where pid <> pg_backend_pid() and (datname = $1 or backend_type in ('walwriter', 'checkpointer', 'background writer'))`,
      [db],
    );
    const wal = (await c.query('select wal_bytes::float8 as bytes, wal_sync::float8 as syncs, wal_write::float8 as writes from pg_stat_wal')).rows[0];
    await c.end();
    const backends = {};
    let background = 0;
    for (const r of rows) {
      const cpu = cpuOfStat(`/proc/${r.pid}/stat`);
      if (cpu === null) continue;
      if (r.backend_type === 'client backend') backends[r.pid] = cpu;
      else background += cpu;
    }
    out.pg = { backends, background, walBytes: wal.bytes, walSyncs: wal.syncs };
  }
  if (sys.redisUrl) out.redisCpu = await redisInfoCpu(sys.redisUrl);
  return out;
}

/** A metric's value by name and labels, whatever the order of its labels. */
function pick(m, name, labels) {
  for (const k of Object.keys(m)) {
    if (k === name && labels.length === 0) return m[k];
    if (k.startsWith(name + '{') && labels.every((l) => k.includes(l))) return m[k];
  }
  return null;
}

/** How many of a histogram's observations are above one bucket's bound: count - that bucket. */
function over(bucket, count) {
  return bucket != null && count != null ? count - bucket : null;
}

const sum = (xs) => xs.reduce((a, b) => a + (b ?? 0), 0);
const delta = (a, b, k) => (a?.[k] != null && b?.[k] != null ? b[k] - a[k] : null);
const us = (seconds, messages) => (seconds == null || !messages ? null : Math.round((seconds * 1e6) / messages));

/**
 * Per message, between two snapshots: CPU µs on each thread (summed over the system's nodes), bytes
 * written, fsyncs per second. `messages`: messages committed (acknowledged) in between;
 * `loadgenCpu`: the generators' CPU seconds in between.
 */
export function breakdown(before, after, messages, loadgenCpu) {
  const seconds = (after.at - before.at) / 1000;
  const nodes = before.nodes.map((b, i) => ({ b, a: after.nodes[i] }));
  const per = (k) => (nodes.every(({ b, a }) => delta(b, a, k) != null) ? sum(nodes.map(({ b, a }) => delta(b, a, k))) : null);
  const eventLoop = per('eventLoop');
  const processCpu = per('process');
  const writer = per('writer');
  const checkpointer = per('checkpointer');
  const commits = per('commits');
  const checkpoints = per('checkpoints');
  const out = {
    seconds: +seconds.toFixed(2),
    messages,
    cpuMicrosPerMessage: {
      eventLoop: us(eventLoop, messages),
      sqliteWriter: us(writer, messages),
      sqliteCheckpointer: us(checkpointer, messages),
      otherServerThreads: processCpu == null ? null : us(processCpu - (eventLoop ?? 0) - (writer ?? 0) - (checkpointer ?? 0), messages),
      serverTotal: us(processCpu, messages),
    },
    bytesWrittenPerMessage: per('writeBytes') == null || !messages ? null : Math.round(per('writeBytes') / messages),
    // The event loop's share of one core: above ~0.9 it is the bottleneck.
    eventLoopCores: eventLoop == null ? null : +(eventLoop / seconds / before.nodes.length).toFixed(2),
    writerCores: writer == null ? null : +(writer / seconds).toFixed(2),
    // The worst node's event-loop delay p99 over the phase: every message waits behind whatever holds the loop.
    eventLoopDelayP99Ms: after.nodes.some((n) => n.loopDelayP99 != null) ? +(1000 * Math.max(...after.nodes.map((n) => n.loopDelayP99 ?? 0))).toFixed(2) : null,
  };
  // Percent of the phase's visitor messages that took longer than that on the node (summed over nodes).
  const slow = (k, total) => {
    const n = per(k), t = per(total);
    return n == null || !t ? null : +((100 * n) / t).toFixed(2);
  };
  out.slowPercent = {
    commitOver5ms: slow('commitOver5ms', 'visitorCommitted'),
    commitOver10ms: slow('commitOver10ms', 'visitorCommitted'),
    deliveryOver10ms: slow('deliveryOver10ms', 'delivered'),
  };
  if (commits != null) {
    out.sqliteCommitsPerSecond = Math.round(commits / seconds);
    out.messagesPerCommit = commits ? +(messages / commits).toFixed(1) : null;
    // Each commit fsyncs the WAL (synchronous=FULL); each checkpoint that copied pages fsyncs the WAL and the database file.
    out.fsyncsPerSecond = Math.round((commits + 2 * (checkpoints ?? 0)) / seconds);
  }
  if (before.pg && after.pg) {
    let backendCpu = 0;
    for (const [pid, cpu] of Object.entries(after.pg.backends)) backendCpu += cpu - (before.pg.backends[pid] ?? cpu);
    // Backends that connected during the phase (from 0) are counted from their start.
    for (const [pid, cpu] of Object.entries(after.pg.backends)) if (!(pid in before.pg.backends)) backendCpu += cpu;
    out.cpuMicrosPerMessage.postgresBackends = us(backendCpu, messages);
    out.cpuMicrosPerMessage.postgresBackground = us(after.pg.background - before.pg.background, messages);
    out.postgresBackendCores = +(backendCpu / seconds).toFixed(2);
    out.walBytesPerMessage = messages ? Math.round((after.pg.walBytes - before.pg.walBytes) / messages) : null;
    out.fsyncsPerSecond = Math.round((after.pg.walSyncs - before.pg.walSyncs) / seconds);
  }
  if (before.redisCpu != null && after.redisCpu != null) out.cpuMicrosPerMessage.redis = us(after.redisCpu - before.redisCpu, messages);
  if (loadgenCpu != null) out.cpuMicrosPerMessage.loadGenerators = us(loadgenCpu, messages);
  return out;
}
