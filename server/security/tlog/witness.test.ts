import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.js';
import { MerkleTree } from './merkle.js';
import { noteSigner, noteVerifier, rawPublic, signNote, SIG_COSIGNATURE, SIG_ED25519 } from './note.js';
import { submitCheckpoint, Witness } from './witness.js';

const origin = 'parley.test/log';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-witness-'));
  dirs.push(dir);
  const logKey = generateKeyPairSync('ed25519').privateKey;
  const wKey = generateKeyPairSync('ed25519').privateKey;
  const logV = noteVerifier(origin, SIG_ED25519, rawPublic(logKey));
  const witnessV = noteVerifier('witness.test/w', SIG_COSIGNATURE, rawPublic(wKey));
  const witness = new Witness(noteSigner('witness.test/w', SIG_COSIGNATURE, wKey), new Map([[origin, [logV]]]), join(dir, 'state.json'));
  const tree = new MerkleTree();
  const grow = (n: number, tag = '') => {
    for (let i = 0; i < n; i++) tree.append(Buffer.from(`e${tree.size}${tag}`));
  };
  const checkpoint = (t = tree, key = logKey) => signNote(formatCheckpoint({ origin, size: t.size, root: t.root(), extensions: [] }), [noteSigner(origin, SIG_ED25519, key)]);
  const add = (old: number, proof: Buffer[], cp: string) => witness.addCheckpoint([`old ${old}`, ...proof.map((h) => h.toString('base64'))].join('\n') + '\n\n' + cp);
  return { dir, witness, witnessV, tree, grow, checkpoint, add, logKey };
}

describe('tlog-witness', () => {
  it('cosigns a first checkpoint, then only consistent extensions from its own size', async () => {
    const s = setup();
    s.grow(5);
    expect((await s.add(0, [], s.checkpoint())).status).toBe(200);
    s.grow(4);
    const stale = await s.add(0, [], s.checkpoint());
    expect(stale).toEqual({ status: 409, contentType: 'text/x.tlog.size', body: '5\n' });
    expect((await s.add(5, s.tree.consistencyProof(5), s.checkpoint())).status).toBe(200);
    expect(s.witness.readState().logs[origin]!.size).toBe(9);
  });

  it('refuses a fork (same history rewritten), a rollback, bad proofs, unknown logs and bad signatures with the spec’s statuses', async () => {
    const s = setup();
    s.grow(8);
    await s.add(0, [], s.checkpoint());
    // A fork: entries 0..3 kept, 4..9 different.
    const fork = new MerkleTree();
    for (let i = 0; i < 4; i++) fork.append(Buffer.from(`e${i}`));
    for (let i = 4; i < 10; i++) fork.append(Buffer.from(`forged ${i}`));
    expect((await s.add(8, fork.consistencyProof(8), s.checkpoint(fork))).status).toBe(422);
    // Same size, other root.
    const same = new MerkleTree();
    for (let i = 0; i < 8; i++) same.append(Buffer.from(`x${i}`));
    expect((await s.add(8, [], s.checkpoint(same))).status).toBe(422);
    // Going backwards: a smaller checkpoint.
    const small = new MerkleTree();
    for (let i = 0; i < 3; i++) small.append(Buffer.from(`e${i}`));
    expect((await s.add(8, [], s.checkpoint(small))).status).toBe(400);
    expect((await s.add(3, [], s.checkpoint(small))).status).toBe(409);
    // Unknown origin, untrusted key, malformed request.
    expect((await s.witness.addCheckpoint('old 0\n\n' + s.checkpoint().replace(origin, 'other.test/log'))).status).toBe(404);
    expect((await s.add(8, [], s.checkpoint(s.tree, generateKeyPairSync('ed25519').privateKey))).status).toBe(403);
    expect((await s.witness.addCheckpoint('old x\n\n' + s.checkpoint())).status).toBe(400);
    expect(s.witness.readState().logs[origin]!.size).toBe(8);
  });

  it('serves add-checkpoint over HTTP; the client learns the size from a 409 and verifies the cosignature', async () => {
    const s = setup();
    const server = await s.witness.listen(0);
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      s.grow(3);
      await s.add(0, [], s.checkpoint());
      s.grow(10);
      const got = await submitCheckpoint({ url, witness: s.witnessV, checkpoint: s.checkpoint(), size: s.tree.size, proofFrom: (old) => s.tree.consistencyProof(old) });
      expect(got.line).toMatch(/^— witness\.test\/w /);
      expect(s.witness.readState().logs[origin]!.size).toBe(13);
      const res = await fetch(`${url}/add-checkpoint`, { method: 'GET' });
      expect(res.status).toBe(404);
    } finally {
      server.close();
    }
  });
});
