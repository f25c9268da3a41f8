/**
 * RFC 6962 / RFC 9162 Merkle trees, the hashing every C2SP transparency log uses:
 * leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), empty tree = SHA-256("").
 *
 * `MerkleTree` keeps every complete subtree hash (level k holds floor(n / 2^k) hashes, about 2n in
 * all), so appending a leaf costs O(log n) amortised and any subtree hash a proof or a tile needs is
 * a lookup or a short recursion. Proof generation follows RFC 6962 §2.1.1–2.1.2 (PATH, PROOF);
 * verification follows RFC 9162 §2.1.3.2 and §2.1.4.2. Sizes stay below 2^53, so plain numbers
 * with arithmetic (never 32-bit bitwise operators) are exact.
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// Math.log2 is exact for powers of two.
const isPow2 = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** A growable array of 32-byte hashes in one buffer (no object per hash). */
class HashArray {
  private buf = Buffer.alloc(HASH_SIZE * 64);
  length = 0;
  push(h: Uint8Array): void {
    if ((this.length + 1) * HASH_SIZE > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    this.buf.set(h, this.length * HASH_SIZE);
    this.length++;
  }
  at(i: number): Buffer {
    if (i < 0 || i >= this.length) throw new RangeError(`hash ${i} of ${this.length}`);
    return this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }
}

export class MerkleTree {
  /** levels[k][i] = hash of leaves [i·2^k, (i+1)·2^k). */
  private readonly levels: HashArray[] = [new HashArray()];

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends an entry (hashed as a leaf); returns its index. */
  append(data: Uint8Array): number {
    return this.appendLeafHash(leafHash(data));
  }

  appendLeafHash(h: Uint8Array): number {
    const index = this.size;
    let level = 0;
    let hash: Uint8Array = h;
    for (;;) {
      const row = (this.levels[level] ??= new HashArray());
      row.push(hash);
      if (odd(row.length)) break;
      hash = nodeHash(row.at(row.length - 2), row.at(row.length - 1));
      level++;
    }
    return index;
  }

  /** The stored hash of the complete subtree at `level`, index `i` (tiles are made of these). */
  stored(level: number, i: number): Buffer {
    const row = this.levels[level];
    if (!row) throw new RangeError(`no level ${level}`);
    return row.at(i);
  }

  /** Number of complete subtrees at `level` in a tree of `size` leaves. */
  static storedCount(level: number, size: number): number {
    return Math.floor(size / 2 ** level);
  }

  leafHashAt(i: number): Buffer {
    return this.stored(0, i);
  }

  /** MTH(D[lo:hi]) for hi ≤ size. */
  hash(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (n === 0) return EMPTY_ROOT;
    if (hi > this.size || lo < 0) throw new RangeError(`range ${lo}..${hi} outside a tree of ${this.size}`);
    if (isPow2(n) && lo % n === 0) return this.stored(Math.log2(n), lo / n);
    const k = splitPoint(n);
    return nodeHash(this.hash(lo, lo + k), this.hash(lo + k, hi));
  }

  /** Root hash of the tree's first `size` leaves (default: all). */
  root(size = this.size): Buffer {
    return this.hash(0, size);
  }

  /** RFC 6962 PATH(index, D[0:size]): sibling hashes from the leaf up. */
  inclusionProof(index: number, size = this.size): Buffer[] {
    if (!(index >= 0 && index < size && size <= this.size)) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
    const path = (m: number, lo: number, hi: number): Buffer[] => {
      const n = hi - lo;
      if (n === 1) return [];
      const k = splitPoint(n);
      return m - lo < k ? [...path(m, lo, lo + k), this.hash(lo + k, hi)] : [...path(m, lo + k, hi), this.hash(lo, lo + k)];
    };
    return path(index, 0, size);
  }

  /** RFC 6962 PROOF(oldSize, D[0:newSize]). Empty when oldSize is 0 or equals newSize. */
  consistencyProof(oldSize: number, newSize = this.size): Buffer[] {
    if (!(oldSize >= 0 && oldSize <= newSize && newSize <= this.size)) throw new RangeError(`no consistency proof ${oldSize}→${newSize} in a tree of ${this.size}`);
    if (oldSize === 0 || oldSize === newSize) return [];
    const sub = (m: number, lo: number, hi: number, complete: boolean): Buffer[] => {
      const n = hi - lo;
      if (m === n) return complete ? [] : [this.hash(lo, hi)];
      const k = splitPoint(n);
      return m <= k ? [...sub(m, lo, lo + k, complete), this.hash(lo + k, hi)] : [...sub(m - k, lo + k, hi, false), this.hash(lo, lo + k)];
    };
    return sub(oldSize, 0, newSize, true);
  }
}

/** The root of a list of entries, without keeping a tree. */
export function rootOf(entries: Uint8Array[]): Buffer {
  const t = new MerkleTree();
  for (const e of entries) t.append(e);
  return t.root();
}

/** RFC 9162 §2.1.3.2: does `proof` prove leaf `leaf` at `index` in a tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) ((fn = half(fn)), (sn = half(sn)));
    } else r = nodeHash(r, p);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2: is the tree (newSize, newRoot) an append-only extension of (oldSize, oldRoot)? */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: Uint8Array[]): boolean {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && oldSize >= 0 && oldSize <= newSize)) return false;
  const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (oldSize === 0) return proof.length === 0 && (newSize > 0 || eq(newRoot, EMPTY_ROOT));
  if (oldSize === newSize) return proof.length === 0 && eq(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = isPow2(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) ((fn = half(fn)), (sn = half(sn)));
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) ((fn = half(fn)), (sn = half(sn)));
    } else sr = nodeHash(sr, c);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && eq(fr, oldRoot) && eq(sr, newRoot);
}
