/**
 * The release transparency log: the entries of the release log (server/security/release.ts), in
 * order, are the leaves of an RFC 6962 Merkle tree published in the C2SP formats, so anyone can
 * check that the release a node serves is the one in the log everybody sees.
 *
 *   leaf i      = canonical JSON of release-log entry i (entries signed since issue 16 include the
 *                 whole manifest — every served file's SRI hash — and the build provenance; the
 *                 entries of the earlier hash chain are leaves as they were, in order)
 *   checkpoint  = c2sp.org/tlog-checkpoint, origin RELEASE_LOG_ORIGIN, signed by the release key
 *                 (key name = origin) at build time; written to dist/public/release-checkpoint
 *   proof       = c2sp.org/tlog-proof of the current release, dist/public/release.tlog-proof
 *
 * The signer keeps the last checkpoint it published beside the persistent log (<log>.checkpoint)
 * and refuses to publish a tree that is not an append-only extension of it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson } from './canonicalJson.js';
import type { Manifest, ReleaseEntry, TrustedKey } from './release.js';
import { formatCheckpoint, formatTlogProof, openCheckpoint, parseCheckpoint, parseTlogProof, type VerifiedCheckpoint } from './tlog/checkpoint.js';
import { MerkleTree, leafHash, verifyInclusion } from './tlog/merkle.js';
import { noteSigner, noteVerifier, parseNote, signNote, SIG_ED25519, type NoteVerifier } from './tlog/note.js';
import { entryBundle, hashTile, parseTilePath, tileExists, TILE_WIDTH } from './tlog/tiles.js';

export const RELEASE_CHECKPOINT_FILE = 'release-checkpoint';
export const RELEASE_PROOF_FILE = 'release.tlog-proof';
export const DEFAULT_RELEASE_ORIGIN = 'parley.local/releases';

type Source = Record<string, string | undefined>;

/** The log's origin line and key name: RELEASE_LOG_ORIGIN, the same for the build and every node. */
export function releaseLogOrigin(source: Source = process.env): string {
  return source.RELEASE_LOG_ORIGIN?.trim() || DEFAULT_RELEASE_ORIGIN;
}

export function releaseLeaf(entry: ReleaseEntry, manifest: Manifest | undefined = entry.manifest): Buffer {
  return Buffer.from(canonicalJson({ ...entry, manifest }));
}

/** The trusted release keys as note verifiers for `origin` (several during a key rotation). */
export function releaseVerifiers(origin: string, trusted: TrustedKey[]): NoteVerifier[] {
  return trusted.map((k) => noteVerifier(origin, SIG_ED25519, Buffer.from(k.publicKey, 'base64')));
}

function treeOf(leaves: Buffer[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) {
    if (leaf.length > 0xffff) throw new Error('a release log entry is larger than 65535 bytes (the tlog-tiles limit)');
    tree.append(leaf);
  }
  return tree;
}

/**
 * Signs a checkpoint of the whole log and the tlog-proof of its last entry. Throws, before anything
 * is written, if the tree does not extend the last checkpoint published from `logPath`;
 * `commit()` then records the new checkpoint there.
 */
export function publishReleaseTlog(opts: { entries: ReleaseEntry[]; privateKey: KeyObject; origin: string; logPath: string }): { checkpoint: string; proof: string; commit(): void } {
  const leaves = opts.entries.map((e) => releaseLeaf(e));
  const tree = treeOf(leaves);
  const lastFile = opts.logPath + '.checkpoint';
  if (existsSync(lastFile)) {
    const last = parseCheckpoint(parseNote(readFileSync(lastFile, 'utf8')).text);
    if (last.origin === opts.origin && (last.size > tree.size || !tree.root(last.size).equals(last.root))) {
      throw new Error(`release log ${opts.logPath} is not an append-only extension of its last published checkpoint (size ${last.size}); refusing to sign`);
    }
  }
  const text = formatCheckpoint({ origin: opts.origin, size: tree.size, root: tree.root(), extensions: [] });
  const checkpoint = signNote(text, [noteSigner(opts.origin, SIG_ED25519, opts.privateKey)]);
  const index = tree.size - 1;
  const proof = formatTlogProof({ extra: null, index, proof: tree.inclusionProof(index), checkpoint });
  return {
    checkpoint,
    proof,
    commit() {
      writeFileSync(lastFile + '.tmp', checkpoint);
      renameSync(lastFile + '.tmp', lastFile);
    },
  };
}

/** The release log as a node serves it: verified at boot, tiles computed from its entries. */
export class ReleaseTransparency {
  private constructor(
    readonly origin: string,
    readonly checkpoint: VerifiedCheckpoint,
    private readonly tree: MerkleTree,
    private readonly leaves: Buffer[],
    /** The current release's index in the log. */
    readonly index: number,
    readonly proof: Buffer[],
  ) {}

  /**
   * Loads release-log.json, release-checkpoint and release.tlog-proof from `dir` and checks that
   * the checkpoint is signed by a trusted key, covers exactly the log's entries, and that the proof
   * includes `current` (with `manifest`) in it. Returns the reason when anything does not hold.
   */
  static load(dir: string, trusted: TrustedKey[], origin: string, current: ReleaseEntry, manifest: Manifest): ReleaseTransparency | { reason: string } {
    try {
      for (const f of ['release-log.json', RELEASE_CHECKPOINT_FILE, RELEASE_PROOF_FILE]) if (!existsSync(join(dir, f))) return { reason: `the release is not in a transparency log (no ${f}; rebuild to publish it)` };
      const log = JSON.parse(readFileSync(join(dir, 'release-log.json'), 'utf8')) as { entries: ReleaseEntry[] };
      const leaves = log.entries.map((e) => releaseLeaf(e));
      const tree = treeOf(leaves);
      const cp = openCheckpoint(readFileSync(join(dir, RELEASE_CHECKPOINT_FILE), 'utf8'), origin, releaseVerifiers(origin, trusted));
      if (cp.size !== tree.size || !cp.root.equals(tree.root())) return { reason: 'the release checkpoint does not match the release log it was shipped with' };
      const p = parseTlogProof(readFileSync(join(dir, RELEASE_PROOF_FILE), 'utf8'));
      const leaf = releaseLeaf(current, manifest);
      if (!verifyInclusion(p.index, cp.size, leafHash(leaf), p.proof, cp.root)) return { reason: 'the current release is not included in the signed release checkpoint' };
      return new ReleaseTransparency(origin, cp, tree, leaves, p.index, p.proof);
    } catch (err) {
      return { reason: `release transparency log: ${(err as Error).message}` };
    }
  }

  get size(): number {
    return this.tree.size;
  }

  consistencyProof(oldSize: number): Buffer[] {
    return this.tree.consistencyProof(oldSize);
  }

  /** A tile or entry bundle at `path` (relative to the log prefix), or null if the tree has no such tile. */
  tile(path: string): Buffer | null {
    const t = parseTilePath(path);
    if (!t || !tileExists(t, this.tree.size)) return null;
    if (t.level === 'entries') return entryBundle(this.leaves.slice(t.index * TILE_WIDTH, t.index * TILE_WIDTH + t.width));
    return hashTile(this.tree, { ...t, level: t.level });
  }

  /** Every entry of the log with its own tlog-proof against `checkpoint` (the served one). */
  history(checkpoint: string): Array<{ index: number; entry: ReleaseEntry; proof: string }> {
    return this.leaves.map((leaf, index) => ({
      index,
      entry: JSON.parse(leaf.toString('utf8')) as ReleaseEntry,
      proof: formatTlogProof({ extra: null, index, proof: this.tree.inclusionProof(index), checkpoint }),
    }));
  }

  /** The tlog-proof of the current release against `checkpoint` (the served one, with its cosignatures). */
  proofFile(checkpoint: string): string {
    return formatTlogProof({ extra: null, index: this.index, proof: this.proof, checkpoint });
  }
}
