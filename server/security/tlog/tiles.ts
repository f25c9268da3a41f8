/**
 * c2sp.org/tlog-tiles: the tree served as static files of height 8.
 *
 *   tile/<L>/<N>[.p/<W>]        hashes of level L·8 of the tree, nodes N·256 … N·256+W−1
 *   tile/entries/<N>[.p/<W>]    the entries themselves, each as a big-endian uint16 length + bytes
 *
 * <N> is written in groups of three digits, every group but the last prefixed with "x"
 * (1234067 → x001/x234/067). A full tile has 256 hashes and no .p suffix; a partial tile exists
 * only for the last, incomplete tile of a level at the current tree size.
 */
import { HASH_SIZE, MerkleTree } from './merkle.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export interface TileRef {
  /** Level, or 'entries' for an entry bundle. */
  level: number | 'entries';
  index: number;
  /** 1…256; 256 is a full tile. */
  width: number;
}

export function tileIndexPath(n: number): string {
  let s = String(n % 1000).padStart(3, '0');
  for (let m = Math.floor(n / 1000); m > 0; m = Math.floor(m / 1000)) s = `x${String(m % 1000).padStart(3, '0')}/${s}`;
  return s;
}

export function tilePath(t: TileRef): string {
  return `tile/${t.level}/${tileIndexPath(t.index)}${t.width === TILE_WIDTH ? '' : `.p/${t.width}`}`;
}

/** Parses `tile/…` (relative to the log's prefix); null when it is not a tile path. */
export function parseTilePath(path: string): TileRef | null {
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) return null;
  const groups = m[2] ? m[2].split('/').filter(Boolean).map((g) => g.slice(1)) : [];
  if (groups[0] === '000') return null; // no leading zero groups: one path per tile
  const index = Number([...groups, m[3]!].join(''));
  const width = m[4] ? Number(m[4]) : TILE_WIDTH;
  if (width > 255 && m[4]) return null;
  if (!Number.isSafeInteger(index)) return null;
  return { level: m[1] === 'entries' ? 'entries' : Number(m[1]), index, width };
}

/** Whether the tile exists in a tree of `size` (full tiles, or the one partial tile of its exact width). */
export function tileExists(t: TileRef, size: number): boolean {
  const level = t.level === 'entries' ? 0 : t.level;
  const count = MerkleTree.storedCount(level * TILE_HEIGHT, size);
  const full = Math.floor(count / TILE_WIDTH);
  if (t.width === TILE_WIDTH) return t.index < full;
  return t.index === full && count % TILE_WIDTH === t.width;
}

/** The bytes of a hash tile. */
export function hashTile(tree: MerkleTree, t: TileRef & { level: number }): Buffer {
  const out = Buffer.alloc(t.width * HASH_SIZE);
  for (let i = 0; i < t.width; i++) tree.stored(t.level * TILE_HEIGHT, t.index * TILE_WIDTH + i).copy(out, i * HASH_SIZE);
  return out;
}

export function entryBundle(entries: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.length > 0xffff) throw new Error('a tlog-tiles entry is at most 65535 bytes');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, Buffer.from(e));
  }
  return Buffer.concat(parts);
}

export function parseEntryBundle(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 2 > bytes.length) throw new Error('truncated entry bundle');
    const len = bytes.readUInt16BE(at);
    if (at + 2 + len > bytes.length) throw new Error('truncated entry bundle');
    out.push(bytes.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

/** Every tile path, full and partial, of a tree of `size` (used to publish a log as files). */
export function tilesOf(size: number): TileRef[] {
  const out: TileRef[] = [];
  for (let level = 0; ; level++) {
    const count = MerkleTree.storedCount(level * TILE_HEIGHT, size);
    if (count === 0) break;
    for (let i = 0; i < Math.floor(count / TILE_WIDTH); i++) out.push({ level, index: i, width: TILE_WIDTH });
    if (count % TILE_WIDTH) out.push({ level, index: Math.floor(count / TILE_WIDTH), width: count % TILE_WIDTH });
  }
  return out;
}

/** Every tile and entry bundle of `tree` (whose leaves are `entries`), by path, for serving or writing out. */
export function tileFiles(tree: MerkleTree, entries: Uint8Array[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const t of tilesOf(tree.size)) {
    out.set(tilePath(t), hashTile(tree, t as TileRef & { level: number }));
    if (t.level === 0) {
      const start = t.index * TILE_WIDTH;
      out.set(tilePath({ ...t, level: 'entries' }), entryBundle(entries.slice(start, start + t.width)));
    }
  }
  return out;
}
