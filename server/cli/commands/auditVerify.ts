import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { withStorage } from '../withStorage.js';
import { verifyAudit } from '../../security/auditLog.js';
import { AUDIT_TLOG_DIR, AuditTlogState, checkpointFromWitnessState, verifyAuditLog } from '../../security/auditTlog.js';
import { WrittenRecord } from '../../security/auditWritten.js';
import { parseEnv } from '../../env.js';
import { parseVerifierKey } from '../../security/tlog/note.js';

export const auditVerify: Command = {
  name: 'audit:verify',
  summary: 'Verify the access audit log against signed checkpoints kept outside the database',
  help: `Usage: parley audit:verify [--checkpoint FILE[,FILE…]] [--witness-state FILE[,FILE…]] [--url NODE_URL]
                          [--key VKEY] [--print-key] [--strict] [--json]

Two checks:
  1. the hash chain in the database (every entry's hash and link): finds naive edits, but anyone
     who can write the database can recompute it;
  2. the Merkle log: recomputes the tree of every entry in the database and proves it against
     signed checkpoints obtained OUTSIDE the database — each checkpoint of size n must have the
     root of entries 1..n (which proves every one of them), and checkpoints must be consistent
     with each other. Deleting, editing, reordering or truncating entries is found even when every
     value in the database was recomputed.

Checkpoints come from --checkpoint files (e.g. saved from the audit.checkpoint webhook or e-mail
digest), --witness-state files (a parley witness's state.json), --url (the node's published
/tlog/audit/checkpoint), and by default this node's own record (DATA_DIR/audit-tlog). Entries the
node wrote and no checkpoint covers yet are compared with the leaf hashes it kept as it wrote them
(DATA_DIR/audit-tlog/written): one edited or deleted since it was acknowledged fails at once.
--key is the audit log's verifier key (default: from AUDIT_SIGNING_KEY / DATA_DIR/audit-signing.key;
--print-key prints it). Entries newer than the last checkpoint are listed as not yet covered.
Exits 0 when everything holds, 2 otherwise; with no checkpoint at all only the chain is checked
(said as NOT PROVEN), and --strict makes that a failure.`,
  async run(args) {
    const opt = (name: string) => (typeof args.options[name] === 'string' ? (args.options[name] as string) : undefined);
    const list = (name: string) => (opt(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const env = parseEnv();
    if (args.options['print-key']) {
      console.log(env.auditSigningKey.verifierKey);
      return 0;
    }
    const verifier = parseVerifierKey(opt('key') ?? env.auditSigningKey.verifierKey);
    const checkpoints: Array<{ source: string; note: string }> = [];
    for (const f of list('checkpoint')) checkpoints.push({ source: f, note: readFileSync(resolve(f), 'utf8') });
    for (const f of list('witness-state')) {
      const note = checkpointFromWitnessState(resolve(f), verifier.name);
      if (!note) throw new UsageError(`${f} holds no checkpoint of ${verifier.name}`);
      checkpoints.push({ source: f, note });
    }
    const url = opt('url');
    if (url) {
      const res = await fetch(new URL('/tlog/audit/checkpoint', url), { signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw new Error(`GET ${url}/tlog/audit/checkpoint: ${res.status}`);
      checkpoints.push({ source: url, note: await res.text() });
    }
    const local = AuditTlogState.open(env.dataDir);
    if (checkpoints.length === 0) local.history().forEach((note, i) => checkpoints.push({ source: `${env.dataDir}/audit-tlog #${i + 1}`, note }));
    const result = await withStorage(async (s) => ({ chain: await verifyAudit(s.db), log: await verifyAuditLog(s.db, { verifier, checkpoints, leafHashes: local.tree, written: WrittenRecord.readAll(join(env.dataDir, AUDIT_TLOG_DIR)) }) }));
    // Without any checkpoint (a node that never ran, and none given) nothing can be proven beyond the
    // chain: that passes only without --strict, and says so.
    const ok = result.chain.problems.length === 0 && result.log.problems.length === 0 && (checkpoints.length > 0 || !args.options.strict);
    if (args.options.json) console.log(JSON.stringify({ ok, ...result }, null, 2));
    else {
      if (result.chain.problems.length === 0) console.log(`audit chain intact: ${result.chain.entries} entries`);
      else for (const p of result.chain.problems) console.log(`chain entry ${p.seq}: ${p.problem} — ${p.detail}`);
      if (checkpoints.length === 0) console.log(`NOT PROVEN: no checkpoint found outside the database (give --checkpoint, --witness-state or --url); ${result.log.entries} entries checked by the chain only`);
      for (const c of result.log.checkpoints) console.log(`checkpoint ${c.source}: size ${c.size} ${c.ok ? 'proves entries 1..' + c.size : 'FAILS'}`);
      for (const p of result.log.problems) console.log(`${p.problem} (${p.checkpoint}): ${p.detail}`);
      if (result.log.uncovered) console.log(`${result.log.uncovered} newer entries are not yet covered by a checkpoint`);
      console.log(ok ? 'OK' : 'FAILED');
    }
    return ok ? 0 : 2;
  },
};
