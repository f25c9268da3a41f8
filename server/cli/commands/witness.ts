import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { generateSignerKey, noteSigner, parseSignerKey, parseVerifierKey, SIG_COSIGNATURE, SIG_ED25519, type NoteVerifier } from '../../security/tlog/note.js';
import { Witness } from '../../security/tlog/witness.js';

export const witness: Command = {
  name: 'witness',
  summary: 'Run a minimal C2SP tlog-witness that cosigns a log’s checkpoints',
  help: `Usage: parley witness --log-key VKEY[,VKEY…] [--port 7380] [--host 127.0.0.1]
                      [--dir DIR] [--name NAME] [--print-key]

Runs an HTTP witness (c2sp.org/tlog-witness: POST /add-checkpoint) for the logs whose verifier keys
are given (the key name is the log's origin, e.g. the node's RELEASE_LOG_ORIGIN and audit origin;
the release key's vkey is printed by release:keygen, the audit key's by audit:verify --print-key).
It cosigns a checkpoint only if it is signed by the log and is an append-only extension of the last
one it cosigned (consistency proof); it never goes backwards (409 with its size; 422 on a fork).

  --dir DIR      keeps the witness key (witness.key, generated on first run, 0600) and the state
                 (state.json: per log, the last cosigned checkpoint); default DATA_DIR/witness
  --name NAME    the witness key name when generating its key (default <hostname>/parley-witness)
  --print-key    print the witness's verifier key (for TLOG_WITNESSES and --witness-key) and exit

Run it on another machine than the node (a tenant or a third party can run one), behind TLS.`,
  async run(args) {
    const dir = resolve(typeof args.options.dir === 'string' ? args.options.dir : join(process.env.DATA_DIR || './data', 'witness'));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyFile = join(dir, 'witness.key');
    if (!existsSync(keyFile)) {
      const name = typeof args.options.name === 'string' ? args.options.name : `${hostname()}/parley-witness`;
      writeFileSync(keyFile, generateSignerKey(name, SIG_COSIGNATURE).signerKey + '\n', { mode: 0o600, flag: 'wx' });
    }
    const key = parseSignerKey(readFileSync(keyFile, 'utf8'));
    if (key.type !== SIG_COSIGNATURE) throw new UsageError(`${keyFile} is not a cosignature key`);
    if (args.options['print-key']) {
      console.log(key.verifierKey);
      return 0;
    }
    const raw = args.options['log-key'];
    if (typeof raw !== 'string') throw new UsageError('--log-key is required');
    const logs = new Map<string, NoteVerifier[]>();
    for (const vkey of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const v = parseVerifierKey(vkey);
      if (v.type !== SIG_ED25519) throw new UsageError(`${vkey}: a log key is an Ed25519 (0x01) verifier key`);
      logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
    }
    const port = Number(args.options.port ?? 7380);
    const host = typeof args.options.host === 'string' ? args.options.host : '127.0.0.1';
    const w = new Witness(noteSigner(key.name, SIG_COSIGNATURE, key.privateKey), logs, join(dir, 'state.json'));
    const server = await w.listen(port, host);
    const addr = server.address() as { port: number };
    console.log(`witness ${key.verifierKey}`);
    console.log(`listening on http://${host}:${addr.port}/add-checkpoint for ${[...logs.keys()].join(', ')}`);
    await new Promise<void>((done) => {
      const stop = () => server.close(() => done());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
