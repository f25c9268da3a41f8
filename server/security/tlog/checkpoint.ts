/**
 * c2sp.org/tlog-checkpoint bodies and c2sp.org/tlog-proof files.
 *
 *   checkpoint text = origin "\n" size "\n" base64(root) "\n" { extension line "\n" }
 *   tlog-proof      = "c2sp.org/tlog-proof@v1\n" [ "extra " base64 "\n" ] "index " n "\n"
 *                     { base64(hash) "\n" } "\n" signed checkpoint note
 */
import { HASH_SIZE } from './merkle.js';
import { openNote, parseNote, type NoteVerifier, type OpenedNote } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const B64 = /^[A-Za-z0-9+/]+=*$/;

export function parseDecimal(s: string, what: string): number {
  if (!DECIMAL.test(s)) throw new Error(`${what} must be a decimal without leading zeroes`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`${what} is too large`);
  return n;
}

export function parseHash(s: string): Buffer {
  const b = Buffer.from(s, 'base64');
  if (!B64.test(s) || b.length !== HASH_SIZE || b.toString('base64') !== s) throw new Error('not a base64 SHA-256 hash');
  return b;
}

export function formatCheckpoint(c: Checkpoint): string {
  if (!c.origin || /\n/.test(c.origin)) throw new Error('invalid origin');
  if (c.extensions.some((e) => e === '' || e.includes('\n'))) throw new Error('invalid extension line');
  return [c.origin, String(c.size), c.root.toString('base64'), ...c.extensions].join('\n') + '\n';
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new Error('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || !lines[0]) throw new Error('checkpoint needs an origin, a size and a root hash');
  return { origin: lines[0], size: parseDecimal(lines[1]!, 'tree size'), root: parseHash(lines[2]!), extensions: lines.slice(3) };
}

export interface VerifiedCheckpoint extends Checkpoint {
  note: string;
  opened: OpenedNote;
}

/**
 * Opens a signed checkpoint: the origin must be `origin`, and at least one of `logKeys` (the log's
 * own keys, e.g. old and new during a rotation) must have signed it. Cosignatures by `others`
 * (witnesses) are verified too and listed in `opened.verified`.
 */
export function openCheckpoint(note: string, origin: string, logKeys: NoteVerifier[], others: NoteVerifier[] = []): VerifiedCheckpoint {
  const opened = openNote(note, [...logKeys, ...others]);
  const c = parseCheckpoint(opened.text);
  if (c.origin !== origin) throw new Error(`checkpoint origin is "${c.origin}", expected "${origin}"`);
  if (!opened.verified.some((v) => logKeys.includes(v.verifier))) throw new Error(`checkpoint of ${origin} is not signed by a trusted log key`);
  return { ...c, note, opened };
}

export interface TlogProof {
  extra: Buffer | null;
  index: number;
  proof: Buffer[];
  checkpoint: string;
}

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export function formatTlogProof(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`, ...p.proof.map((h) => h.toString('base64')));
  return lines.join('\n') + '\n\n' + p.checkpoint;
}

export function parseTlogProof(text: string): TlogProof {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new Error('tlog-proof: no blank line before the checkpoint');
  const lines = text.slice(0, split).split('\n');
  if (lines.shift() !== TLOG_PROOF_HEADER) throw new Error(`tlog-proof: first line must be ${TLOG_PROOF_HEADER}`);
  let extra: Buffer | null = null;
  if (lines[0]?.startsWith('extra ')) extra = Buffer.from(lines.shift()!.slice(6), 'base64');
  const idx = lines.shift();
  if (!idx?.startsWith('index ')) throw new Error('tlog-proof: missing index line');
  const checkpoint = text.slice(split + 2);
  parseNote(checkpoint);
  return { extra, index: parseDecimal(idx.slice(6), 'index'), proof: lines.map(parseHash), checkpoint };
}
