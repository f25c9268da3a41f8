/**
 * Fault: the disk under DATA_DIR fills up (issue 17, item 3). A real node runs on SQLite in a small
 * tmpfs of its own (mounted here: these tests run as root, and fail loudly if they cannot mount);
 * a filler file takes every free byte, then is removed.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, clusterPerTest, ORIGIN, sleep, startNode, visitorToken, waitFor } from './harness.js';
import { ProtoClient } from './protoClient.js';

/** Fills the filesystem holding `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 1_000_000; i++) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

describe('fault: disk full under DATA_DIR', () => {
  const { clients, newCluster } = clusterPerTest();
  let mountPoint: string;
  beforeAll(() => {
    mountPoint = mkdtempSync(join(tmpdir(), 'parley-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      throw new Error(`the disk-full fault test mounts a small tmpfs and must run as root: ${(err as Error).message}`);
    }
  });
  afterAll(() => {
    if (!mountPoint) return;
    try {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    } finally {
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it('sends and requests fail with `storage_full`, /healthz says 503 storage_full, one log line per episode, a metric; all recovers when space returns and nothing acknowledged is lost', async () => {
    const cluster = await newCluster('sqlite', { under: mountPoint });
    await cluster.storage.close(); // only the node writes to the full disk
    const node = await startNode(cluster, { name: 'F', env: { LOG_LEVEL: 'info' } });
    const { cookie, csrf } = await agentLogin(node, cluster.agent);
    const token = await visitorToken(node, cluster.tenant);
    const visitor = new ProtoClient({ urls: () => [node.url], kind: 'visitor', token, retryMs: 500 });
    clients.push(visitor);
    await waitFor('visitor ready', () => visitor.isReady);
    visitor.send('before the disk fills');
    await waitFor('first message stored', () => visitor.conversationId !== null && visitor.outbox.size === 0);
    const conversationId = visitor.conversationId!;

    const filler = fill(mountPoint);
    // SQLite may still fit a few small writes into space it already holds: send until refused.
    const big = 'x'.repeat(3900);
    await waitFor('a send refused with storage_full', () => {
      if (visitor.outbox.size < 5) visitor.send(big);
      return visitor.errors.some((e) => e.code === 'storage_full');
    }, 30_000, 100);
    const refused = visitor.errors.find((e) => e.code === 'storage_full')!;
    expect(refused.clientId, 'the error names the send').toBeTruthy();
    expect(visitor.errors.filter((e) => e.code === 'internal'), 'never `internal`').toEqual([]);

    const health = await fetch(`${node.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', reason: 'storage_full' });
    const post = await fetch(`${node.url}/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf, origin: ORIGIN },
      body: JSON.stringify({ clientId: 'http-during-full', body: big }),
    });
    expect(post.status).toBe(503);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('storage_full');
    expect(await (await fetch(`${node.url}/metrics`)).text()).toMatch(/^parley_storage_full 1$/m);
    await sleep(2500); // more refused retries meanwhile: still one log line
    expect(node.output().match(/storage is full/g)?.length, 'logged once per episode').toBe(1);

    unlinkSync(filler);
    await waitFor('healthy again', async () => (await fetch(`${node.url}/healthz`)).status === 200, 15_000, 200);
    await waitFor('every refused send acknowledged after recovery', () => visitor.outbox.size === 0, 20_000);
    expect(await (await fetch(`${node.url}/metrics`)).text()).toMatch(/^parley_storage_full 0$/m);
    expect(node.output()).toMatch(/storage has room again/);
    expect(node.output().match(/storage is full/g)?.length).toBe(1);
    const http = await fetch(`${node.url}/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf, origin: ORIGIN },
      body: JSON.stringify({ clientId: 'http-after', body: 'after' }),
    });
    expect(http.status).toBe(201);
    expect([...visitor.failed.entries()]).toEqual([]);
    expect(node.proc.exitCode).toBeNull();
  });
});
