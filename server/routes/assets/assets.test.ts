import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signedFixture, type Fixture } from '../../security/releaseFixture.js';
import { generateReleaseKey } from '../../security/release.js';
import { startTestParley, type TestParley } from '../../testing/testParley.js';

describe('the loader URL when the loader is refused', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const node = async (f: Fixture, publicKey = f.trusted.publicKey): Promise<TestParley> => {
    const t = await startTestParley({ env: { PUBLIC_DIR: f.publicDir, RELEASE_PUBLIC_KEY: publicKey } });
    cleanup.push(() => t.close());
    return t;
  };

  it('a node restarted on a disk with a changed loader answers 503 (not 404) for the URL in tenants’ snippets', async () => {
    const f = signedFixture();
    cleanup.push(() => rmSync(f.root, { recursive: true, force: true }));
    const before = await node(f);
    const version = before.files.loaderVersion();
    const url = `/widget/v/${version}/loader.js`;
    expect((await before.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    await before.close();
    cleanup.pop();

    writeFileSync(join(f.publicDir, 'widget/loader.js'), 'document.querySelector("#card-number")');
    const after = await node(f);
    for (const asked of [url, '/widget/v/0123456789abcdef/loader.js']) {
      const res = await after.app.inject({ method: 'GET', url: asked });
      expect(res.statusCode, asked).toBe(503);
      // A tenant's page loads it with crossorigin="anonymous": without this the browser reports a CORS failure, not the 503.
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.json()).toMatchObject({ error: { code: 'unavailable' } });
      expect(res.body).not.toContain('card-number');
    }
  });

  it('a release signed by an untrusted key: the loader URL answers 503 too', async () => {
    const f = signedFixture();
    cleanup.push(() => rmSync(f.root, { recursive: true, force: true }));
    const other = generateReleaseKey(join(f.root, 'other')).trusted;
    const t = await node(f, other.publicKey);
    const res = await t.app.inject({ method: 'GET', url: '/widget/v/0123456789abcdef/loader.js' });
    expect(res.statusCode).toBe(503);
  });
});
