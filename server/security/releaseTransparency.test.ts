/**
 * The release transparency log end to end: nodes serve it, a witness cosigns it, release:verify
 * --url checks a node from outside. Attacks (the attacker holds the release key): a node showing
 * one audience a forked log (split view), and a node rolled back to an older release.
 */
import { cpSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli/main.js';
import { cleanupTestParley, dropSchemas, startTestParley, type TestParley } from '../testing/testParley.js';
import { loadPrivateKey, signRelease } from './release.js';
import { releaseLogOrigin, releaseVerifiers } from './releaseTlog.js';
import { signedFixture, writeManifest, FIXTURE_FILES, type Fixture } from './releaseFixture.js';
import { formatVerifierKey, generateSignerKey, noteSigner, parseSignerKey, SIG_COSIGNATURE } from './tlog/note.js';
import { parseTlogProof } from './tlog/checkpoint.js';
import { Witness } from './tlog/witness.js';

describe('release transparency log, witnesses and release:verify --url', () => {
  let f: Fixture;
  let dir: string;
  let witnessServer: Server;
  let witnessUrl: string;
  let witnessKey: string;
  const nodes: TestParley[] = [];
  const honest = () => nodes[0]!;

  const node = async (publicDir: string) => {
    const t = await startTestParley({ listen: true, env: { PUBLIC_DIR: publicDir, RELEASE_PUBLIC_KEY: f.trusted.publicKey, TLOG_WITNESSES: `${witnessUrl} ${witnessKey}` } });
    nodes.push(t);
    await t.transparency.collectRelease();
    return t;
  };
  const verify = async (url: string, ...extra: string[]) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const code = await runCli(['release:verify', '--url', url, '--public-key', f.trusted.publicKey, ...extra]);
      return { code, out: log.mock.calls.map((c) => c.join(' ')).join('\n') };
    } finally {
      log.mockRestore();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-rtlog-'));
    f = signedFixture();
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': '/* v2 */\n' }, '0.0.2');
    f.sign();
    // Snapshots at release 2: what a rolled-back node serves, and where the attacker forks from.
    cpSync(f.publicDir, join(dir, 'v2'), { recursive: true });
    copyFileSync(f.logPath, join(dir, 'fork-log.json'));
    copyFileSync(f.logPath + '.checkpoint', join(dir, 'fork-log.json.checkpoint'));
    writeManifest(f.publicDir, { ...FIXTURE_FILES, 'widget/loader.js': '/* v3 */\n' }, '0.0.3');
    f.sign();
    // The attacker's release 3', in a log forked from release 2, signed with the stolen release key.
    cpSync(join(dir, 'v2'), join(dir, 'fork'), { recursive: true });
    writeManifest(join(dir, 'fork'), { ...FIXTURE_FILES, 'widget/loader.js': '/* v3 with a skimmer */\n' }, '0.0.3');
    signRelease({ publicDir: join(dir, 'fork'), privateKey: loadPrivateKey(f.privateKeyFile), logPath: join(dir, 'fork-log.json') });

    const w = parseSignerKey(generateSignerKey('witness.test/w1', SIG_COSIGNATURE).signerKey);
    witnessKey = w.verifierKey;
    const origin = releaseLogOrigin();
    const witness = new Witness(noteSigner(w.name, SIG_COSIGNATURE, w.privateKey), new Map([[origin, releaseVerifiers(origin, [f.trusted])]]), join(dir, 'witness-state.json'));
    witnessServer = await witness.listen(0);
    witnessUrl = `http://127.0.0.1:${(witnessServer.address() as { port: number }).port}`;
    await node(f.publicDir);
  });
  afterAll(async () => {
    for (const t of nodes) await cleanupTestParley(t);
    witnessServer?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(f.root, { recursive: true, force: true });
    await dropSchemas();
  });

  it('serves the signed, cosigned checkpoint, immutable tiles and this release’s tlog-proof', async () => {
    const app = honest().app;
    const cp = await app.inject({ url: '/tlog/releases/checkpoint' });
    expect(cp.statusCode).toBe(200);
    expect(cp.headers['cache-control']).toMatch(/max-age=5/);
    expect(cp.body).toMatch(new RegExp(`^${releaseLogOrigin()}\\n3\\n[A-Za-z0-9+/]{43}=\\n\\n— ${releaseLogOrigin()} .*\\n— witness\\.test/w1 .*\\n$`));
    const tile = await app.inject({ url: '/tlog/releases/tile/0/000.p/3' });
    expect(tile.statusCode).toBe(200);
    expect(tile.rawPayload.length).toBe(3 * 32);
    expect(tile.headers['cache-control']).toMatch(/immutable/);
    expect((await app.inject({ url: '/tlog/releases/tile/0/000.p/4' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/tlog/releases/tile/entries/000.p/3' })).statusCode).toBe(200);
    const proof = parseTlogProof((await app.inject({ url: '/tlog/releases/current.tlog-proof' })).body);
    expect(proof).toMatchObject({ index: 2, checkpoint: cp.body });
  });

  it('release:verify --url accepts the honest node: signature, cosignature, inclusion, every served file, and records the state', async () => {
    const state = join(dir, 'verifier-ok.json');
    const r = await verify(honest().url, '--witness-key', witnessKey, '--state', state);
    expect(r.out).toContain('OK');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok {3}\/widget\/v\/[0-9a-f]{16}\/loader\.js/);
    expect(r.out).toContain('ok   /console/assets/app.js');
    expect((await verify(honest().url, '--witness-key', witnessKey, '--state', state)).code).toBe(0);
  });

  it('a node showing one audience a forked log (split view) gets no cosignature, and release:verify fails with the witness or with the state', async () => {
    const forked = await node(join(dir, 'fork'));
    // The node itself serves its fork happily: the fork is signed with the (stolen) release key.
    expect((await forked.app.inject({ url: '/tlog/releases/checkpoint' })).statusCode).toBe(200);
    const withWitness = await verify(forked.url, '--witness-key', witnessKey);
    expect(withWitness.code).toBe(2);
    expect(withWitness.out).toMatch(/witness witness\.test\/w1 has not cosigned/);
    // A verifier that saw the honest log before notices the other history even without witnesses.
    const state = join(dir, 'verifier-split.json');
    expect((await verify(honest().url, '--state', state)).code).toBe(0);
    const split = await verify(forked.url, '--state', state);
    expect(split.code).toBe(2);
    expect(split.out).toMatch(/split view/);
    // Control: with neither a witness nor a state, a key-holding attacker's fork passes (what the witness is for).
    expect((await verify(forked.url)).code).toBe(0);
  });

  it('a node rolled back to an older release fails: smaller tree than seen before, and no cosignature', async () => {
    const old = await node(join(dir, 'v2'));
    const state = join(dir, 'verifier-rollback.json');
    expect((await verify(honest().url, '--state', state)).code).toBe(0);
    const r = await verify(old.url, '--state', state);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/rollback: the node shows a log of 2 entries, but 3 were seen before/);
    expect((await verify(old.url, '--witness-key', witnessKey)).code).toBe(2);
  });

  it('the witness’s verifier key names a cosignature key; the log key is the release key under the origin', () => {
    expect(witnessKey).toMatch(/^witness\.test\/w1\+[0-9a-f]{8}\+/);
    expect(formatVerifierKey(releaseVerifiers(releaseLogOrigin(), [f.trusted])[0]!)).toMatch(new RegExp(`^${releaseLogOrigin()}\\+`));
  });
});
