import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so tests that build several apps do not collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests by status class', labelNames: ['status'], registers: [registry] }),
    messages: new Counter({ name: 'parley_messages_total', help: 'Messages committed', labelNames: ['author'], registers: [registry] }),
    sockets: new Gauge({ name: 'parley_websockets', help: 'Open WebSocket connections', labelNames: ['kind'], registers: [registry] }),
    /** 1 during a disk-full episode (storage/storageHealth.ts); episodes counts them. */
    storageFull: new Gauge({ name: 'parley_storage_full', help: '1 while writes fail because storage is full', registers: [registry] }),
    storageFullEpisodes: new Counter({ name: 'parley_storage_full_episodes_total', help: 'Disk-full episodes since start', registers: [registry] }),
    commitSeconds: new Histogram({ name: 'parley_message_commit_seconds', help: 'Time to commit a message', buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
