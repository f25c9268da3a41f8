import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PublicFiles } from './publicFiles.js';
import { generateReleaseKey, loadPrivateKey, readLog, signRelease, verifyLog, type ReleaseLog } from './release.js';
import { signedFixture, writeManifest, FIXTURE_FILES, type Fixture } from './releaseFixture.js';
import { releaseLeaf } from './releaseTlog.js';

const silent = pino({ level: 'silent' });
const fixtures: Fixture[] = [];
afterEach(() => fixtures.splice(0).forEach((f) => rmSync(f.root, { recursive: true, force: true })));
const fixture = () => {
  const f = signedFixture();
  fixtures.push(f);
  return f;
};

describe('release transparency log (build side, node boot)', () => {
  it('records the manifest and provenance in the log’s leaf, and the node serves a release proven in the signed checkpoint', () => {
    const f = fixture();
    const log = readLog(f.logPath);
    expect(log.entries[0]!.manifest!.files['widget/loader.js']).toMatch(/^sha384-/);
    expect(JSON.parse(releaseLeaf(log.entries[0]!).toString())).toMatchObject({ seq: 1, manifest: { files: expect.any(Object) } });
    const files = new PublicFiles(f.publicDir, silent, [f.trusted]);
    expect(files.refusedReason).toBeNull();
    expect(files.transparency!.size).toBe(1);
  });

  it('key rotation: a log signed by the old then the new key is served by a node trusting both, not by one trusting only the old', () => {
    const f = fixture();
    const next = generateReleaseKey(join(f.root, 'next'));
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': '/* v2 */\n' }, '0.0.2');
    signRelease({ publicDir: f.publicDir, privateKey: loadPrivateKey(next.privateKeyFile), logPath: f.logPath });
    expect(verifyLog(readLog(f.logPath), [f.trusted, next.trusted])).toEqual([]);
    expect(new PublicFiles(f.publicDir, silent, [f.trusted, next.trusted]).transparency!.size).toBe(2);
    expect(new PublicFiles(f.publicDir, silent, [f.trusted]).refusedReason).toMatch(/not trusted|not signed/);
  });

  it('a node refuses a release whose shipped log, checkpoint or proof do not agree', () => {
    const f = fixture();
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': '/* v2 */\n' }, '0.0.2');
    f.sign();
    const logFile = join(f.publicDir, 'release-log.json');
    const original = readFileSync(logFile, 'utf8');
    // An entry of the shipped log edited (its tree no longer has the checkpoint's root).
    const edited = JSON.parse(original) as ReleaseLog;
    edited.entries[0]!.signedAt = '2020-01-01T00:00:00.000Z';
    writeFileSync(logFile, JSON.stringify(edited));
    expect(new PublicFiles(f.publicDir, silent, [f.trusted]).refusedReason).toMatch(/does not match the release log/);
    writeFileSync(logFile, original);
    // The checkpoint's signature broken.
    const cpFile = join(f.publicDir, 'release-checkpoint');
    const cp = readFileSync(cpFile, 'utf8');
    writeFileSync(cpFile, cp.replace(/\n2\n/, '\n3\n'));
    expect(new PublicFiles(f.publicDir, silent, [f.trusted]).refusedReason).toMatch(/does not verify|release transparency log/);
    writeFileSync(cpFile, cp);
    expect(new PublicFiles(f.publicDir, silent, [f.trusted]).refusedReason).toBeNull();
  });

  it('the signer refuses to publish a log that rewrites history it already published', () => {
    const f = fixture();
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': '/* v2 */\n' }, '0.0.2');
    f.sign();
    // Someone replaces the persistent log by another history of the same length, chain intact.
    const log = readLog(f.logPath);
    rmSync(f.logPath);
    rmSync(f.logPath + '.lock', { force: true });
    const other = signedFixture();
    fixtures.push(other);
    writeFileSync(f.logPath, readFileSync(other.logPath));
    expect(log.entries).toHaveLength(2);
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': '/* v3 */\n' }, '0.0.3');
    expect(() => signRelease({ publicDir: f.publicDir, privateKey: loadPrivateKey(other.privateKeyFile), logPath: f.logPath })).toThrow(/not an append-only extension/);
  });
});
