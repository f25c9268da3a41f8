import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, formatTlogProof, openCheckpoint, parseCheckpoint, parseTlogProof } from './checkpoint.js';
import { EMPTY_ROOT, MerkleTree, leafHash, nodeHash, rootOf, verifyConsistency, verifyInclusion } from './merkle.js';
import { formatSignerKey, formatVerifierKey, noteSigner, noteVerifier, openNote, parseSignerKey, parseVerifierKey, rawPublic, signNote, SIG_COSIGNATURE, SIG_ED25519 } from './note.js';
import { entryBundle, parseEntryBundle, parseTilePath, tileExists, tilePath, tilesOf } from './tiles.js';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`entry ${i}`));

/** RFC 6962 MTH straight from the definition, to check the stored-hash tree against. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return leafHash(d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}

describe('RFC 6962 Merkle tree', () => {
  it('matches the definition for every size up to 70, and the known empty root', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const d = leaves(70);
    const t = new MerkleTree();
    for (let n = 1; n <= 70; n++) {
      t.append(d[n - 1]!);
      expect(t.root().equals(mth(d.slice(0, n)))).toBe(true);
    }
    expect(rootOf(d).equals(t.root())).toBe(true);
  });

  it('proves inclusion of every leaf and consistency between every pair of sizes, and rejects altered proofs', () => {
    const d = leaves(40);
    const t = new MerkleTree();
    d.forEach((x) => t.append(x));
    for (let size = 1; size <= 40; size++) {
      const root = t.root(size);
      for (let i = 0; i < size; i++) {
        const p = t.inclusionProof(i, size);
        expect(verifyInclusion(i, size, leafHash(d[i]!), p, root)).toBe(true);
        expect(verifyInclusion(i, size, leafHash(Buffer.from('other')), p, root)).toBe(false);
        if (size > 1) expect(verifyInclusion((i + 1) % size, size, leafHash(d[i]!), p, root)).toBe(false);
      }
      for (let old = 0; old <= size; old++) {
        const p = t.consistencyProof(old, size);
        expect(verifyConsistency(old, size, t.root(old), root, p)).toBe(true);
        if (p.length) {
          const bad = p.map((h, j) => (j === p.length - 1 ? leafHash(h) : h));
          expect(verifyConsistency(old, size, t.root(old), root, bad)).toBe(false);
        }
        if (old > 0 && old < size) expect(verifyConsistency(old, size, leafHash(Buffer.from('forked')), root, p)).toBe(false);
      }
    }
  });
});

describe('tlog-tiles', () => {
  it('encodes tile paths as C2SP says, and parses only canonical ones', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 1, index: 0, width: 5 })).toBe('tile/1/000.p/5');
    expect(tilePath({ level: 'entries', index: 12, width: 256 })).toBe('tile/entries/012');
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('tile/entries/000.p/7')).toEqual({ level: 'entries', index: 0, width: 7 });
    for (const bad of ['tile/0/1', 'tile/0/x000/001', 'tile/0/001.p/0', 'tile/0/001.p/256', 'tile/0/001.p/007', 'tile/00/001', 'tile/0/../001']) expect(parseTilePath(bad)).toBeNull();
  });

  it('lists full and partial tiles of each level, and entry bundles round-trip', () => {
    expect(tilesOf(70000).map(tilePath).filter((p) => !p.startsWith('tile/0/'))).toEqual(['tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1']);
    expect(tileExists({ level: 0, index: 273, width: 112 }, 70000)).toBe(true);
    expect(tileExists({ level: 0, index: 273, width: 111 }, 70000)).toBe(false);
    const e = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 1)];
    expect(parseEntryBundle(entryBundle(e))).toEqual(e);
    expect(() => entryBundle([Buffer.alloc(65536)])).toThrow(/65535/);
  });
});

describe('signed notes (c2sp.org/signed-note)', () => {
  it('verifies the published examples of C2SP signed-note and of Go’s note package', () => {
    // c2sp.org/signed-note, "Example".
    const c2sp = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const note = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    expect(openNote(note, [c2sp]).verified).toHaveLength(1);
    expect(() => openNote(note.replace('example message', 'exemple message'), [c2sp])).toThrow(/does not verify/);
    // golang.org/x/mod/sumdb/note TestSign: the same signer key gives the same signature (Ed25519 is deterministic).
    const go = parseSignerKey('PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz');
    expect(go.verifierKey).toBe('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    const text = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n';
    expect(signNote(text, [noteSigner('PeterNeumann', SIG_ED25519, go.privateKey)])).toBe(
      text + '\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
    );
  });

  it('cosignatures carry a timestamp, verify only over their own message and key type', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const cosigner = noteSigner('witness.example/w1', SIG_COSIGNATURE, privateKey, () => 1679315147);
    const v = parseVerifierKey(formatVerifierKey(noteVerifier('witness.example/w1', SIG_COSIGNATURE, rawPublic(privateKey))));
    const text = formatCheckpoint({ origin: 'example.com/log', size: 3, root: leafHash(Buffer.from('x')), extensions: [] });
    const note = signNote(text, [cosigner]);
    expect(openNote(note, [v]).verified[0]!.timestamp).toBe(1679315147);
    // The same key as a plain 0x01 signer has another key ID: its signature is not a cosignature.
    const plain = parseVerifierKey(formatVerifierKey(noteVerifier('witness.example/w1', SIG_ED25519, rawPublic(privateKey))));
    expect(plain.keyId.equals(v.keyId)).toBe(false);
    expect(openNote(note, [plain]).verified).toHaveLength(0);
    expect(parseSignerKey(formatSignerKey('witness.example/w1', SIG_COSIGNATURE, privateKey)).type).toBe(SIG_COSIGNATURE);
  });
});

describe('checkpoints and tlog-proof', () => {
  it('round-trips, requires the origin and a log signature, and refuses malformed bodies', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const logKey = noteVerifier('example.com/log', SIG_ED25519, rawPublic(privateKey));
    const t = new MerkleTree();
    leaves(5).forEach((x) => t.append(x));
    const text = formatCheckpoint({ origin: 'example.com/log', size: 5, root: t.root(), extensions: ['ext line'] });
    const note = signNote(text, [noteSigner('example.com/log', SIG_ED25519, privateKey)]);
    const cp = openCheckpoint(note, 'example.com/log', [logKey]);
    expect(cp).toMatchObject({ size: 5, extensions: ['ext line'] });
    expect(() => openCheckpoint(note, 'example.com/other', [logKey])).toThrow(/origin/);
    const stranger = noteVerifier('example.com/log', SIG_ED25519, rawPublic(generateKeyPairSync('ed25519').privateKey));
    expect(() => openCheckpoint(note, 'example.com/log', [stranger])).toThrow(/not signed/);
    expect(() => parseCheckpoint('o\n05\n' + t.root().toString('base64') + '\n')).toThrow(/leading zeroes/);
    expect(() => parseCheckpoint('o\n5\nAAAA\n')).toThrow(/hash/);
    const proof = formatTlogProof({ extra: Buffer.from('hi'), index: 2, proof: t.inclusionProof(2), checkpoint: note });
    const parsed = parseTlogProof(proof);
    expect(parsed).toMatchObject({ index: 2, checkpoint: note });
    expect(parsed.extra!.toString()).toBe('hi');
    expect(verifyInclusion(2, 5, leafHash(leaves(5)[2]!), parsed.proof, cp.root)).toBe(true);
    expect(() => parseTlogProof(proof.replace('c2sp.org/tlog-proof@v1', 'other'))).toThrow(/first line/);
  });
});
