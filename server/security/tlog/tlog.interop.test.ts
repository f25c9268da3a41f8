/**
 * Interoperability: Parley's checkpoints, signatures, cosignatures, tiles, inclusion and consistency
 * proofs are verified by Go's golang.org/x/mod/sumdb/note and sumdb/tlog (testdata/gointerop),
 * built offline from Debian's golang-golang-x-mod-dev source. Go missing is a failure, not a skip:
 * .ci/run installs golang-go and golang-golang-x-mod-dev.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.js';
import { MerkleTree } from './merkle.js';
import { formatSignerKey, formatVerifierKey, noteSigner, noteVerifier, openNote, rawPublic, signNote, SIG_COSIGNATURE, SIG_ED25519 } from './note.js';
import { tileFiles, tilesOf } from './tiles.js';
import { Witness } from './witness.js';

const here = dirname(fileURLToPath(import.meta.url));
const GOPATH = '/usr/share/gocode';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runGo(input: unknown): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-gointerop-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  const out = execFileSync('go', ['run', './main.go', join(dir, 'input.json')], {
    cwd: join(here, 'testdata', 'gointerop'),
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOCACHE: join(tmpdir(), 'parley-go-cache') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('interoperability with Go (golang.org/x/mod/sumdb)', () => {
  it('has Go and Debian’s x/mod source (CI installs golang-go golang-golang-x-mod-dev)', () => {
    expect(() => execFileSync('go', ['version'])).not.toThrow();
    expect(() => execFileSync('test', ['-f', join(GOPATH, 'src/golang.org/x/mod/sumdb/tlog/tlog.go')])).not.toThrow();
  });

  it('Go verifies a Parley checkpoint (log signature + witness cosignature), its tiles and proofs, and signs with a Parley key', async () => {
    const origin = 'parley.test/interop';
    const logKey = generateKeyPairSync('ed25519').privateKey;
    const witnessKey = generateKeyPairSync('ed25519').privateKey;
    const logVerifier = noteVerifier(origin, SIG_ED25519, rawPublic(logKey));
    const witnessVerifier = noteVerifier('witness.test/w1', SIG_COSIGNATURE, rawPublic(witnessKey));

    const size = 70_000; // level-0, level-1 and level-2 tiles, full and partial
    const entries = Array.from({ length: size }, (_, i) => Buffer.from(`{"entry":${i}}`));
    const tree = new MerkleTree();
    entries.forEach((e) => tree.append(e));
    const tileDir = mkdtempSync(join(tmpdir(), 'parley-tiles-'));
    dirs.push(tileDir);
    for (const [path, bytes] of tileFiles(tree, entries)) {
      mkdirSync(dirname(join(tileDir, path)), { recursive: true });
      writeFileSync(join(tileDir, path), bytes);
    }
    const checkpoint = signNote(formatCheckpoint({ origin, size, root: tree.root(), extensions: [] }), [noteSigner(origin, SIG_ED25519, logKey)]);
    // The witness cosigns through its add-checkpoint handler (state in a temp file).
    const witness = new Witness(noteSigner('witness.test/w1', SIG_COSIGNATURE, witnessKey), new Map([[origin, [logVerifier]]]), join(tileDir, 'witness-state.json'));
    const reply = await witness.addCheckpoint(`old 0\n\n${checkpoint}`);
    expect(reply.status).toBe(200);
    const cosigned = checkpoint + reply.body;
    expect(openNote(cosigned, [logVerifier, witnessVerifier]).verified).toHaveLength(2);

    const indexes = [0, 1, 255, 256, 12_345, 65_535, 65_536, 69_999];
    const sizes = [1, 2, 255, 256, 257, 1000, 65_536, 65_537, 69_999, size];
    const result = runGo({
      origin,
      logVkey: formatVerifierKey(logVerifier),
      checkpoint: cosigned,
      witnessVkey: formatVerifierKey(witnessVerifier),
      leaves: entries.map((e) => e.toString('base64')),
      tileDir,
      inclusion: indexes.flatMap((index) => [size, index + 1, 65_537].filter((s) => s > index).map((s) => ({ index, size: s, proof: tree.inclusionProof(index, s).map((h) => h.toString('base64')) }))),
      consistency: sizes.flatMap((n) => sizes.filter((m) => m > 0 && m < n).map((m) => ({ old: m, new: n, proof: tree.consistencyProof(m, n).map((h) => h.toString('base64')) }))),
      roots: Object.fromEntries(sizes.map((s) => [String(s), tree.root(s).toString('base64')])),
      goSkey: formatSignerKey(origin, SIG_ED25519, logKey),
      goText: 'signed by Go\n',
      // One root byte changed: Go must refuse the signature.
      corruptCheckpoint: cosigned.replace(/\n([A-Za-z0-9+/]{43}=)\n/, (_m, h: string) => `\n${h[0] === 'A' ? 'B' : 'A'}${h.slice(1)}\n`),
    });
    expect(result).toMatchObject({ ok: true, corruptRejected: true, inclusion: expect.any(Number), consistency: expect.any(Number) });
    expect(result.tiles).toBe(tilesOf(size).length); // every Go tile compared, byte for byte
    // Parley verifies the note Go signed with Parley's key.
    expect(openNote(result.goSigned as string, [logVerifier]).verified).toHaveLength(1);
  }, 180_000);
});
