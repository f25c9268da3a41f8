/**
 * A minimal c2sp.org/tlog-witness: `POST <prefix>/add-checkpoint` with
 *
 *   old <size>\n { base64 consistency proof hash \n } \n <signed checkpoint>
 *
 * For each log it knows (origin → the log's verifier keys) it keeps the latest checkpoint it
 * cosigned in a state file, and cosigns a new one only if it is signed by the log, and is an
 * append-only extension of that one (consistency proof). Answers, as the spec says: 404 unknown
 * origin, 403 no valid log signature, 400 malformed or old > size, 409 (text/x.tlog.size: its
 * size) when `old` is not its latest size, 422 when the proof or the roots do not agree; 200 with
 * its cosignature line. Check-and-persist is atomic: requests are handled one at a time and the
 * state file is replaced by rename before answering.
 *
 * `submitCheckpoint` is the client side a log uses to collect cosignatures.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { openCheckpoint, parseDecimal, parseHash } from './checkpoint.js';
import { EMPTY_ROOT, verifyConsistency } from './merkle.js';
import { openNote, parseSignatureLines, signatureLine, type NoteSigner, type NoteVerifier } from './note.js';

export interface WitnessState {
  logs: Record<string, { size: number; root: string; checkpoint: string; cosignedAt: number }>;
}

export interface WitnessReply {
  status: number;
  contentType: string;
  body: string;
}

const text = (status: number, body: string, contentType = 'text/plain; charset=utf-8'): WitnessReply => ({ status, contentType, body });

export class Witness {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly signer: NoteSigner,
    /** origin → the log's verifier keys */
    private readonly logs: Map<string, NoteVerifier[]>,
    private readonly statePath: string,
  ) {}

  readState(): WitnessState {
    if (!existsSync(this.statePath)) return { logs: {} };
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as WitnessState;
  }

  private writeState(state: WitnessState): void {
    mkdirSync(dirname(this.statePath), { recursive: true });
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.statePath);
  }

  /** One add-checkpoint request, serialised with every other. */
  addCheckpoint(body: string): Promise<WitnessReply> {
    const run = this.queue.then(() => this.handle(body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private handle(body: string): WitnessReply {
    const split = body.indexOf('\n\n');
    if (split < 0) return text(400, 'expected an old size line, proof lines, a blank line and a checkpoint\n');
    const head = body.slice(0, split).split('\n');
    const oldLine = head.shift()!;
    let oldSize: number;
    let proof: Buffer[];
    try {
      if (!oldLine.startsWith('old ')) throw new Error('first line must be "old <size>"');
      oldSize = parseDecimal(oldLine.slice(4), 'old size');
      proof = head.map(parseHash);
      if (proof.length > 63) throw new Error('too many proof lines');
    } catch (err) {
      return text(400, `${(err as Error).message}\n`);
    }
    const note = body.slice(split + 2);
    let origin: string;
    try {
      origin = note.slice(0, note.indexOf('\n'));
    } catch {
      return text(400, 'malformed checkpoint\n');
    }
    const keys = this.logs.get(origin);
    if (!keys) return text(404, 'unknown log origin\n');
    let cp;
    try {
      cp = openCheckpoint(note, origin, keys);
    } catch (err) {
      const msg = (err as Error).message;
      return text(/signed|verify/.test(msg) ? 403 : 400, `${msg}\n`);
    }
    if (oldSize > cp.size) return text(400, 'old size is larger than the checkpoint size\n');
    const state = this.readState();
    const latest = state.logs[origin];
    const latestSize = latest?.size ?? 0;
    if (oldSize !== latestSize) return text(409, `${latestSize}\n`, 'text/x.tlog.size');
    if (cp.size === 0 && !cp.root.equals(EMPTY_ROOT)) return text(422, 'an empty tree has the empty root\n');
    if (oldSize === 0 && proof.length > 0) return text(422, 'no proof is needed from size 0\n');
    if (latest) {
      const oldRoot = Buffer.from(latest.root, 'base64');
      if (!verifyConsistency(oldSize, cp.size, oldRoot, cp.root, proof)) return text(422, 'the checkpoint is not consistent with the one cosigned before\n');
    }
    const line = signatureLine(this.signer.name, this.signer.keyId, this.signer.sign(Buffer.from(cp.opened.text)));
    state.logs[origin] = { size: cp.size, root: cp.root.toString('base64'), checkpoint: note, cosignedAt: Date.now() };
    this.writeState(state);
    return text(200, line + '\n');
  }

  /** An HTTP server answering POST /add-checkpoint (loopback or behind a TLS proxy). */
  listen(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      const reply = (r: WitnessReply) => res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body);
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/add-checkpoint') return reply(text(404, 'not found\n'));
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) {
          reply(text(413, 'request too large\n'));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => {
        if (res.headersSent) return;
        this.addCheckpoint(Buffer.concat(chunks).toString('utf8')).then(reply, () => reply(text(500, 'internal error\n')));
      });
    });
    return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
  }
}

/**
 * A witness refused the checkpoint for what it knows of the log: it cosigned a larger tree (409
 * twice, or a size above ours), or ours is not an append-only extension of the tree it cosigned
 * (422). For a log whose history only grows, that is a rewritten log or node record, not an outage.
 */
export class WitnessRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * Submits a checkpoint to a witness and returns its verified cosignature line. `proofFrom(old)`
 * gives the consistency proof from the witness's size; a 409 tells us that size, and we retry
 * once with it.
 */
export async function submitCheckpoint(opts: {
  url: string;
  witness: NoteVerifier;
  checkpoint: string;
  size: number;
  knownSize?: number;
  proofFrom(oldSize: number): Buffer[];
  timeoutMs?: number;
}): Promise<{ line: string; size: number; timestamp: number }> {
  let old = opts.knownSize ?? 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (old > opts.size) throw new WitnessRefused(`witness has seen size ${old}, larger than this checkpoint (${opts.size}): the log went backwards`, 409);
    const body = [`old ${old}`, ...opts.proofFrom(old).map((h) => h.toString('base64'))].join('\n') + '\n\n' + opts.checkpoint;
    const res = await fetch(new URL('add-checkpoint', opts.url.endsWith('/') ? opts.url : opts.url + '/'), {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const answer = await res.text();
    if (res.status === 409 && attempt === 0) {
      old = parseDecimal(answer.trim(), 'witness size');
      continue;
    }
    if (res.status === 409 || res.status === 422) throw new WitnessRefused(`witness answered ${res.status}: ${answer.trim().slice(0, 200)}`, res.status);
    if (res.status !== 200) throw new Error(`witness answered ${res.status}: ${answer.trim().slice(0, 200)}`);
    const lines = parseSignatureLines(answer);
    // Verify as a note: the checkpoint text with the returned lines as its signatures.
    const text = opts.checkpoint.slice(0, opts.checkpoint.lastIndexOf('\n\n') + 1);
    const opened = openNote(text + '\n' + lines.map((l) => l.line + '\n').join(''), [opts.witness]);
    const mine = opened.verified[0];
    if (!mine) throw new Error('the witness answered without a cosignature by its key');
    return { line: mine.line, size: opts.size, timestamp: mine.timestamp };
  }
  throw new WitnessRefused('witness kept answering 409', 409);
}
