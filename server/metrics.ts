import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppError } from './errors.js';

/** Latency buckets (seconds) from 0.5 ms to 5 s: budgets are 10 ms and 50 ms at p99 (DESIGN.md). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One registry per app instance, so tests that build several apps do not collide. Every metric
 * here is recorded somewhere (docs/API-CONTRACT.md lists them for alerting); `promtool check
 * metrics` accepts the exposition (server/routes/health/metrics.test.ts).
 */
export function createMetrics() {
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
  };
  // Series operators alert on exist from the start (at 0), so `rate()` and `absent()` work before the first event.
  for (const kind of ['full', 'unavailable', 'constraint', 'other']) metrics.storageErrors.inc({ kind }, 0);
  for (const outcome of ['delivered', 'retrying', 'failed', 'dropped']) metrics.webhookDeliveries.inc({ outcome }, 0);
  for (const channel of ['http', 'ws']) metrics.rateLimited.inc({ channel }, 0);
  return metrics;
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Counts an error answered to a client (HTTP answer or WebSocket error frame) where operators alert on it. */
export function countRefusal(metrics: Metrics, error: Pick<AppError, 'code'>, channel: 'http' | 'ws'): void {
  const code: string = error.code;
  if (code === 'rate_limited') metrics.rateLimited.inc({ channel });
  else if (code === 'unavailable') metrics.storageRefusals.inc({ kind: 'unavailable', channel });
  else if (code === 'storage_full') metrics.storageRefusals.inc({ kind: 'full', channel });
}
