import { readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import {
  canonicalJson,
  generateReleaseKey,
  parsePublicKey,
  readLog,
  readSignedManifest,
  trustedKeysFrom,
  verifyLog,
  verifyRelease,
  type ReleaseLog,
} from './release.js';
import { signedFixture, writeManifest, FIXTURE_FILES, type Fixture } from './releaseFixture.js';
import { PublicFiles } from './publicFiles.js';
import { runCli } from '../cli/main.js';
import { ROOT } from '../paths.js';

const silent = pino({ level: 'silent' });
const fixtures: Fixture[] = [];
const fixture = () => {
  const f = signedFixture();
  fixtures.push(f);
  return f;
};
afterEach(() => {
  for (const f of fixtures.splice(0)) rmSync(f.root, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('release signing', () => {
  it('canonical JSON ignores key order and whitespace, not values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson(JSON.parse('{ "b": 2,\n "a": 1 }')));
  });

  it('keygen writes a 0600 private key and a public key that parses', () => {
    const f = fixture();
    expect(statSync(f.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(parsePublicKey(readFileSync(join(f.keyDir, 'release-ed25519.pub'), 'utf8')).keyId).toBe(f.trusted.keyId);
    expect(() => generateReleaseKey(f.keyDir)).toThrow(/already exists/);
  });

  it('signs the manifest, and only a trusted key verifies it', () => {
    const f = fixture();
    const ok = readSignedManifest(f.publicDir, [f.trusted]);
    expect(ok.ok).toBe(true);
    const other = generateReleaseKey(join(f.root, 'other')).trusted;
    const refused = readSignedManifest(f.publicDir, [other]);
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('not trusted') });
    expect(readSignedManifest(f.publicDir, [])).toMatchObject({ ok: false, reason: expect.stringContaining('RELEASE_PUBLIC_KEY') });
  });

  it('notices a manifest changed after signing, and a missing signature', () => {
    const f = fixture();
    const manifestPath = join(f.publicDir, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.files['widget/loader.js'] = 'sha384-' + Buffer.alloc(48).toString('base64');
    writeFileSync(manifestPath, JSON.stringify(m));
    expect(readSignedManifest(f.publicDir, [f.trusted])).toMatchObject({ ok: false, reason: expect.stringContaining('changed after signing') });
    unlinkSync(join(f.publicDir, 'release.json'));
    expect(readSignedManifest(f.publicDir, [f.trusted])).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') });
  });

  it('reformatting the manifest keeps it valid (canonical bytes are signed)', () => {
    const f = fixture();
    const manifestPath = join(f.publicDir, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify(JSON.parse(readFileSync(manifestPath, 'utf8'))));
    expect(readSignedManifest(f.publicDir, [f.trusted]).ok).toBe(true);
  });
});

describe('release log chain', () => {
  const threeEntries = () => {
    const f = fixture();
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': 'v2\n' }, '0.0.2');
    f.sign();
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': 'v3\n' }, '0.0.3');
    f.sign();
    return f;
  };
  const edit = (f: Fixture, fn: (log: ReleaseLog) => void): ReleaseLog => {
    const log = readLog(f.logPath);
    fn(log);
    writeFileSync(f.logPath, JSON.stringify(log));
    return log;
  };

  it('links every entry to the previous one', () => {
    const f = threeEntries();
    const log = readLog(f.logPath);
    expect(log.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log.entries[1]!.prevHash).toBe(log.entries[0]!.hash);
    expect(verifyLog(log, [f.trusted])).toEqual([]);
    expect(readFileSync(join(f.publicDir, 'release-log.json'), 'utf8')).toBe(readFileSync(f.logPath, 'utf8'));
  });

  it('pinpoints a changed entry', () => {
    const f = threeEntries();
    const log = edit(f, (l) => (l.entries[1]!.version = '9.9.9'));
    const problems = verifyLog(log, [f.trusted]);
    expect(problems.map((p) => [p.seq, p.problem])).toEqual([
      [2, 'bad_hash'],
      [2, 'bad_signature'],
    ]);
  });

  it('pinpoints a changed entry even when its hash was recomputed (the signature still fails)', async () => {
    const f = threeEntries();
    const { entryHash } = await import('./release.js');
    const log = edit(f, (l) => {
      const e = l.entries[1]!;
      e.manifestSha384 = 'sha384-' + Buffer.alloc(48, 1).toString('base64');
      e.hash = entryHash(e);
    });
    const problems = verifyLog(log, [f.trusted]);
    expect(problems).toContainEqual(expect.objectContaining({ seq: 2, problem: 'bad_signature' }));
    expect(problems).toContainEqual(expect.objectContaining({ seq: 3, problem: 'broken_link' }));
  });

  it('pinpoints a removed entry', () => {
    const f = threeEntries();
    const log = edit(f, (l) => l.entries.splice(1, 1));
    expect(verifyLog(log, [f.trusted]).map((p) => [p.seq, p.problem])).toEqual([
      [3, 'bad_seq'],
      [3, 'broken_link'],
    ]);
  });

  it('flags entries signed by an untrusted key', () => {
    const f = threeEntries();
    const other = generateReleaseKey(join(f.root, 'other')).trusted;
    expect(verifyLog(readLog(f.logPath), [other]).filter((p) => p.problem === 'untrusted_key').map((p) => p.seq)).toEqual([1, 2, 3]);
  });

  it('refuses to append to a broken log', () => {
    const f = threeEntries();
    edit(f, (l) => (l.entries[0]!.signedAt = '2000-01-01T00:00:00.000Z'));
    expect(() => f.sign()).toThrow(/broken at entry 1 \(bad_hash/);
  });
});

describe('verifying a release', () => {
  it('names the changed, missing and unlisted files', () => {
    const f = fixture();
    writeFileSync(join(f.publicDir, 'widget/loader.js'), 'steal()');
    unlinkSync(join(f.publicDir, 'console/assets/app.js'));
    writeFileSync(join(f.publicDir, 'console/assets/extra.js'), 'x');
    const report = verifyRelease({
      publicDir: f.publicDir,
      trusted: [f.trusted],
      listFiles: () => ['widget/loader.js', 'widget/frame/index.html', 'console/index.html', 'console/assets/extra.js', 'manifest.json', 'release.json', 'release-log.json'],
    });
    expect(report.ok).toBe(false);
    expect(report.files).toEqual([
      { path: 'widget/loader.js', problem: 'changed' },
      { path: 'console/assets/app.js', problem: 'missing' },
      { path: 'console/assets/extra.js', problem: 'unlisted' },
    ]);
    expect(report.log).toMatchObject({ entries: 1, problems: [], containsRelease: true });
  });

  it('parley release:keygen, release:sign and release:verify work end to end', async () => {
    const f = fixture();
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    expect(await runCli(['release:keygen', '--out', join(ROOT, 'keys-in-repo')])).toBe(1);
    expect(out.join('\n')).toContain('inside the repository');
    out.length = 0;
    const keyDir = join(f.root, 'cli-key');
    expect(await runCli(['release:keygen', '--out', keyDir])).toBe(0);
    const pub = /RELEASE_PUBLIC_KEY=(\S+)/.exec(out.join('\n'))![1]!;
    out.length = 0;
    expect(await runCli(['release:sign', '--key', join(keyDir, 'release-ed25519.key'), '--dir', f.publicDir, '--log', f.logPath])).toBe(0);
    expect(out.join('\n')).toMatch(/signed release #2/);
    out.length = 0;
    // The log holds entry 1 by the fixture key and entry 2 by the CLI key: trusting only the CLI key flags entry 1.
    expect(await runCli(['release:verify', '--dir', f.publicDir, '--public-key', pub])).toBe(2);
    expect(out.join('\n')).toContain('log entry 1 (position 1): untrusted_key');
    out.length = 0;
    process.env.RELEASE_PUBLIC_KEY = `${f.trusted.publicKey},${pub}`;
    try {
      expect(await runCli(['release:verify', '--dir', f.publicDir])).toBe(0);
      expect(out.join('\n')).toContain('log: 2 entries, chain intact');
      out.length = 0;
      writeFileSync(join(f.publicDir, 'console/index.html'), '<script>skim()</script>');
      expect(await runCli(['release:verify', '--dir', f.publicDir])).toBe(2);
      expect(out.join('\n')).toContain('file console/index.html: changed');
    } finally {
      delete process.env.RELEASE_PUBLIC_KEY;
    }
  });

  it('trusts RELEASE_PUBLIC_KEY over the development key, and reports a bad one', () => {
    const f = fixture();
    expect(trustedKeysFrom({ RELEASE_PUBLIC_KEY: f.trusted.publicKey }).keys.map((k) => k.keyId)).toEqual([f.trusted.keyId]);
    expect(trustedKeysFrom({ RELEASE_PUBLIC_KEY: 'bm90IGEga2V5' }).problems[0]).toMatch(/not an Ed25519 public key/);
    expect(trustedKeysFrom({ RELEASE_DEV_KEY_DIR: f.keyDir })).toMatchObject({ source: 'dev-key', keys: [{ keyId: f.trusted.keyId }] });
    expect(trustedKeysFrom({ RELEASE_DEV_KEY_DIR: join(f.root, 'none') })).toMatchObject({ source: 'none', keys: [] });
  });
});

describe('PublicFiles', () => {
  it('serves a signed release and refuses everything when unsigned or signed by an unknown key', () => {
    const f = fixture();
    expect(new PublicFiles(f.publicDir, silent, [f.trusted]).get('widget/loader.js')).toMatchObject({ file: { integrity: expect.stringMatching(/^sha384-/) } });
    const other = generateReleaseKey(join(f.root, 'other')).trusted;
    const untrusted = new PublicFiles(f.publicDir, silent, [other]);
    expect(untrusted.get('widget/loader.js')).toEqual({ tampered: true });
    expect(untrusted.refusedReason).toMatch(/not trusted/);
    unlinkSync(join(f.publicDir, 'release.json'));
    expect(new PublicFiles(f.publicDir, silent, [f.trusted]).get('console/index.html')).toEqual({ tampered: true });
  });

  it('refuses a file changed before boot and reports it once on the first recheck', async () => {
    const f = fixture();
    writeFileSync(join(f.publicDir, 'widget/loader.js'), 'document.querySelector("#card-number")');
    const files = new PublicFiles(f.publicDir, silent, [f.trusted]);
    expect(files.get('widget/loader.js')).toEqual({ tampered: true });
    expect(files.get('console/index.html')).toMatchObject({ file: {} });
    expect((await files.recheck()).map((x) => [x.path, x.problem])).toEqual([['widget/loader.js', 'changed']]);
    expect(await files.recheck()).toEqual([]);
  });

  it('re-verifies the disk: a file changed after boot is no longer served', async () => {
    const f = fixture();
    const files = new PublicFiles(f.publicDir, silent, [f.trusted]);
    expect(await files.recheck()).toEqual([]);
    writeFileSync(join(f.publicDir, 'console/assets/app.js'), 'skim()');
    unlinkSync(join(f.publicDir, 'widget/frame/index.html'));
    const found = await files.recheck();
    expect(found.map((x) => [x.path, x.problem])).toEqual([
      ['widget/frame/index.html', 'missing'],
      ['console/assets/app.js', 'changed'],
    ]);
    expect(files.get('console/assets/app.js')).toEqual({ tampered: true });
    expect(files.get('widget/frame/index.html')).toEqual({ tampered: true });
    expect(files.get('console/index.html')).toMatchObject({ file: {} });
  });
});
