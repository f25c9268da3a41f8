/**
 * `parley release:verify --url <node>`: checks, from outside, that what a node serves is the
 * release its transparency log shows everybody.
 *
 *  1. the checkpoint (/tlog/releases/checkpoint) is signed by a trusted release key for the origin,
 *     and cosigned by every witness key given (a witness cosigns only a tree consistent with every
 *     one it cosigned before, so a log forked for one audience cannot get its cosignature);
 *  2. the entry bundles rebuild exactly the checkpoint's root (tiles are checked against it too);
 *  3. the node's tlog-proof proves its current release's leaf at its index in that tree;
 *  4. every file the node serves (loader, console, frame assets; the frame of one tenant with
 *     --frame-key/--frame-host) hashes to the SRI in that leaf's manifest;
 *  5. against the state file (the last checkpoint this verifier accepted for the origin): a
 *     smaller tree is a rollback, the same size with another root or a larger tree whose first
 *     entries differ is a split view. The state advances only when everything holds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Manifest, TrustedKey } from './release.js';
import { sri384 } from './release.js';
import { releaseVerifiers } from './releaseTlog.js';
import { openCheckpoint, parseTlogProof } from './tlog/checkpoint.js';
import { MerkleTree, leafHash, verifyInclusion } from './tlog/merkle.js';
import { parseVerifierKey } from './tlog/note.js';
import { parseEntryBundle, tilePath, tilesOf, TILE_WIDTH } from './tlog/tiles.js';

export interface RemoteReport {
  ok: boolean;
  origin: string;
  size: number | null;
  release: { index: number; version: string; seq: number; manifest: Manifest } | null;
  /** Where the node serves its loader (checked against the log's SRI). */
  loaderUrl: string | null;
  witnesses: Array<{ key: string; cosigned: boolean }>;
  files: Array<{ path: string; url: string; ok: boolean; detail?: string }>;
  problems: string[];
}

interface VerifierState {
  logs: Record<string, { size: number; root: string; checkedAt: string }>;
}

/** Where each manifest path is served (null: not fetched directly). */
export function servedUrlOf(path: string, frame?: { key: string; host: string }): string | null {
  if (path === 'console/index.html') return '/console/';
  if (path === 'widget/frame/index.html') return frame ? `/widget/frame/?key=${encodeURIComponent(frame.key)}&host=${encodeURIComponent(frame.host)}` : null;
  if (path.startsWith('console/assets/') || path.startsWith('widget/frame/assets/')) return '/' + path;
  return null;
}

async function get(base: string, path: string): Promise<Buffer> {
  const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export async function verifyRemoteRelease(opts: {
  url: string;
  origin: string;
  trusted: TrustedKey[];
  witnessKeys: string[];
  statePath?: string;
  frame?: { key: string; host: string };
}): Promise<RemoteReport> {
  const report: RemoteReport = { ok: false, origin: opts.origin, size: null, release: null, loaderUrl: null, witnesses: [], files: [], problems: [] };
  const fail = (p: string) => report.problems.push(p);
  const base = opts.url.endsWith('/') ? opts.url : opts.url + '/';
  try {
    const witnesses = opts.witnessKeys.map(parseVerifierKey);
    const note = (await get(base, 'tlog/releases/checkpoint')).toString('utf8');
    const cp = openCheckpoint(note, opts.origin, releaseVerifiers(opts.origin, opts.trusted), witnesses);
    report.size = cp.size;
    for (const w of witnesses) {
      const cosigned = cp.opened.verified.some((v) => v.verifier === w);
      report.witnesses.push({ key: `${w.name}+${w.keyId.toString('hex')}`, cosigned });
      if (!cosigned) fail(`witness ${w.name} has not cosigned this checkpoint: the node may be showing you a log other clients do not see`);
    }

    // The whole log, from its entry bundles; the hash tiles must agree with it.
    const leaves: Buffer[] = [];
    const tree = new MerkleTree();
    for (const t of tilesOf(cp.size).filter((x) => x.level === 0)) {
      for (const e of parseEntryBundle(await get(base, `tlog/releases/${tilePath({ ...t, level: 'entries' })}`))) {
        leaves.push(e);
        tree.append(e);
      }
    }
    if (tree.size !== cp.size || !tree.root().equals(cp.root)) throw new Error('the entry bundles do not rebuild the checkpoint’s tree');
    const lastTile = tilesOf(cp.size).find((t) => t.level === 0 && t.index === Math.floor((cp.size - 1) / TILE_WIDTH))!;
    const tileBytes = await get(base, `tlog/releases/${tilePath(lastTile)}`);
    for (let i = 0; i < lastTile.width; i++) {
      if (!tileBytes.subarray(i * 32, i * 32 + 32).equals(tree.leafHashAt(lastTile.index * TILE_WIDTH + i))) throw new Error('a hash tile disagrees with the entries');
    }

    // The node's current release, proven in the tree.
    const proof = parseTlogProof((await get(base, 'tlog/releases/current.tlog-proof')).toString('utf8'));
    const leaf = leaves[proof.index];
    if (!leaf || !verifyInclusion(proof.index, cp.size, leafHash(leaf), proof.proof, cp.root)) throw new Error('the node’s release proof does not verify against the checkpoint');
    const entry = JSON.parse(leaf.toString('utf8')) as { seq: number; version: string; manifest?: Manifest };
    if (!entry.manifest) throw new Error('the current release’s log entry has no manifest');
    report.release = { index: proof.index, version: entry.version, seq: entry.seq, manifest: entry.manifest };

    // What the node serves is what that entry lists.
    const manifest = entry.manifest;
    const loader = manifest.files['widget/loader.js'];
    for (const [path, sri] of Object.entries(manifest.files)) {
      const url = servedUrlOf(path, opts.frame);
      if (!url) continue;
      const body = await get(base, url.slice(1)).catch((err: Error) => err);
      if (body instanceof Error) report.files.push({ path, url, ok: false, detail: body.message });
      else report.files.push({ path, url, ok: sri384(body) === sri, ...(sri384(body) === sri ? {} : { detail: `served ${sri384(body)}, the log says ${sri}` }) });
    }
    if (loader) {
      const checked = await checkLoader(base, loader);
      report.files.push(checked);
      if (checked.ok) report.loaderUrl = new URL(checked.url, base).toString();
    }
    for (const f of report.files) if (!f.ok) fail(`${f.url} is not the file the log shows for ${f.path} (${f.detail})`);

    // Against what this verifier saw before.
    if (opts.statePath) {
      const state: VerifierState = existsSync(opts.statePath) ? JSON.parse(readFileSync(opts.statePath, 'utf8')) : { logs: {} };
      const seen = state.logs[opts.origin];
      if (seen) {
        const seenRoot = Buffer.from(seen.root, 'base64');
        if (cp.size < seen.size) fail(`rollback: the node shows a log of ${cp.size} entries, but ${seen.size} were seen before`);
        else if (!tree.root(seen.size).equals(seenRoot)) fail(`split view: the first ${seen.size} entries differ from the log seen before (${cp.size === seen.size ? 'same size, another root' : 'the history was rewritten'})`);
      }
      if (report.problems.length === 0) {
        state.logs[opts.origin] = { size: cp.size, root: cp.root.toString('base64'), checkedAt: new Date().toISOString() };
        mkdirSync(dirname(opts.statePath), { recursive: true });
        writeFileSync(opts.statePath + '.tmp', JSON.stringify(state, null, 2) + '\n');
        renameSync(opts.statePath + '.tmp', opts.statePath);
      }
    }
  } catch (err) {
    fail((err as Error).message);
  }
  report.ok = report.problems.length === 0;
  return report;
}

/**
 * The loader is served at /widget/v/<first 16 hex of its SHA-256>/loader.js, a name only its bytes
 * give; the node says where (/tlog/releases/loader), and the bytes found there must match both the
 * log's SRI and the name.
 */
async function checkLoader(base: string, sri: string): Promise<RemoteReport['files'][number]> {
  const url = (await get(base, 'tlog/releases/loader').catch(() => Buffer.alloc(0))).toString('utf8').trim();
  if (!url.startsWith('/')) return { path: 'widget/loader.js', url: '/tlog/releases/loader', ok: false, detail: 'the node does not say where its loader is' };
  const body = await get(base, url.slice(1)).catch((err: Error) => err);
  if (body instanceof Error) return { path: 'widget/loader.js', url, ok: false, detail: body.message };
  const actual = sri384(body);
  const ok = actual === sri && url === `/widget/v/${createHash('sha256').update(body).digest('hex').slice(0, 16)}/loader.js`;
  return { path: 'widget/loader.js', url, ok, ...(ok ? {} : { detail: `served ${actual}, the log says ${sri}` }) };
}
