import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppError } from './errors.js';
import { processCpuSeconds, SLOT, threadCpuSeconds, type NamedThread } from './storage/threadStats.js';

/** Latency buckets (seconds) from 0.5 ms to 5 s: budgets are 10 ms and 50 ms at p99 (DESIGN.md). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One registry per app instance, so tests that build several apps do not collide. Every metric
 * here is recorded somewhere (docs/API-CONTRACT.md lists them for alerting); `promtool check
 * metrics` accepts the exposition (server/routes/health/metrics.test.ts).
 */
export function createMetrics(threads: NamedThread[] = []) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // prom-client also publishes three gauges named *_total, a suffix promtool (and Prometheus naming)
  // reserve for counters; their per-type gauges without the suffix (nodejs_active_handles, …) stay.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const metrics = {
    registry,
    httpRequests: new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests by status class', labelNames: ['status'], registers }),
    httpSeconds: new Histogram({ name: 'parley_http_request_duration_seconds', help: 'HTTP request duration by method, route (as registered) and status', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers }),
    messages: new Counter({ name: 'parley_messages_total', help: 'Messages committed', labelNames: ['author'], registers }),
    sockets: new Gauge({ name: 'parley_websockets', help: 'Open WebSocket connections', labelNames: ['kind'], registers }),
    socketCloses: new Counter({ name: 'parley_websocket_closes_total', help: 'WebSocket connections closed, by kind and close code', labelNames: ['kind', 'code'], registers }),
    commitSeconds: new Histogram({ name: 'parley_message_commit_seconds', help: 'Time from a message being accepted to its commit', labelNames: ['author'], buckets: LATENCY_BUCKETS, registers }),
    deliverySeconds: new Histogram({ name: 'parley_message_delivery_seconds', help: 'Visitor to agent: from the server accepting a visitor message to writing it to an agent socket on this node', buckets: LATENCY_BUCKETS, registers }),
    webhookDeliveries: new Counter({ name: 'parley_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered, retrying, failed, dropped)', labelNames: ['outcome'], registers }),
    rateLimited: new Counter({ name: 'parley_rate_limited_total', help: 'Requests and frames refused by a rate limit, by channel (http, ws)', labelNames: ['channel'], registers }),
    storageErrors: new Counter({ name: 'parley_storage_errors_total', help: 'Failed storage operations (queries and write units), by kind: full, unavailable, constraint, other', labelNames: ['kind'], registers }),
    storageRefusals: new Counter({ name: 'parley_storage_refusals_total', help: 'Answers refused because of storage (HTTP 503, WebSocket error frames), by kind (unavailable, full) and channel', labelNames: ['kind', 'channel'], registers }),
    /** 1 during a disk-full episode (storage/storageHealth.ts); episodes counts them. */
    storageFull: new Gauge({ name: 'parley_storage_full', help: '1 while writes fail because storage is full', registers }),
    storageFullEpisodes: new Counter({ name: 'parley_storage_full_episodes_total', help: 'Disk-full episodes since start', registers }),
    ...threadMetrics(threads, registers),
  };
  // Series operators alert on exist from the start (at 0), so `rate()` and `absent()` work before the first event.
  for (const kind of ['full', 'unavailable', 'constraint', 'other']) metrics.storageErrors.inc({ kind }, 0);
  for (const outcome of ['delivered', 'retrying', 'failed', 'dropped']) metrics.webhookDeliveries.inc({ outcome }, 0);
  for (const channel of ['http', 'ws']) metrics.rateLimited.inc({ channel }, 0);
  return metrics;
}

/**
 * Where a node's CPU goes, per thread (storage/threadStats.ts), and SQLite's commits and
 * checkpoints (each an fsync of the WAL; a checkpoint also fsyncs the database file): divided by
 * parley_messages_total, the cost of a message on each thread (bench/run.mjs reports it so).
 */
function threadMetrics(threads: NamedThread[], registers: Registry[]) {
  /** Counters only go up: each scrape adds what was used since the last one. */
  const seen = new Map<string, number>();
  const add = (counter: Counter<string>, labels: Record<string, string>, total: number | null) => {
    if (total === null) return;
    const key = `${(counter as unknown as { name: string }).name}${JSON.stringify(labels)}`;
    const delta = total - (seen.get(key) ?? 0);
    if (delta > 0) counter.inc(labels, delta);
    seen.set(key, total);
  };
  const thread = (name: NamedThread['name']) => threads.find((t) => t.name === name)?.counters;
  const threadCpu: Counter<string> = new Counter({
    name: 'parley_thread_cpu_seconds_total',
    help: 'CPU time (user + system) by thread: event_loop, sqlite_writer, sqlite_checkpointer, other (GC helpers, libuv pool); Linux only',
    labelNames: ['thread'],
    registers,
    collect() {
      const eventLoop = threadCpuSeconds(process.pid);
      if (eventLoop === null) return;
      let known = eventLoop;
      add(threadCpu, { thread: 'event_loop' }, eventLoop);
      for (const t of threads) {
        const cpu = threadCpuSeconds(Number(t.counters[SLOT.tid]));
        if (cpu === null) continue;
        known += cpu;
        add(threadCpu, { thread: t.name }, cpu);
      }
      add(threadCpu, { thread: 'other' }, Math.max(0, processCpuSeconds() - known));
    },
  });
  const commits: Counter<string> = new Counter({
    name: 'parley_sqlite_commits_total',
    help: 'SQLite writer thread commits (one fsync of the WAL each; a batch of write units)',
    registers,
    collect() {
      const c = thread('sqlite_writer');
      if (c) add(commits, {}, Number(c[SLOT.commits]));
    },
  });
  const units: Counter<string> = new Counter({
    name: 'parley_sqlite_write_units_total',
    help: 'Write units (messages, row changes) committed by the SQLite writer thread',
    registers,
    collect() {
      const c = thread('sqlite_writer');
      if (c) add(units, {}, Number(c[SLOT.units]));
    },
  });
  const checkpoints: Counter<string> = new Counter({
    name: 'parley_sqlite_checkpoints_total',
    help: 'SQLite checkpoints that copied WAL pages into the database file (fsyncs of the WAL and of the file)',
    registers,
    collect() {
      const c = thread('sqlite_checkpointer');
      if (c) add(checkpoints, {}, Number(c[SLOT.commits]));
    },
  });
  return { threadCpu, sqliteCommits: commits, sqliteUnits: units, sqliteCheckpoints: checkpoints };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Counts an error answered to a client (HTTP answer or WebSocket error frame) where operators alert on it. */
export function countRefusal(metrics: Metrics, error: Pick<AppError, 'code'>, channel: 'http' | 'ws'): void {
  const code: string = error.code;
  if (code === 'rate_limited') metrics.rateLimited.inc({ channel });
  else if (code === 'unavailable') metrics.storageRefusals.inc({ kind: 'unavailable', channel });
  else if (code === 'storage_full') metrics.storageRefusals.inc({ kind: 'full', channel });
}
