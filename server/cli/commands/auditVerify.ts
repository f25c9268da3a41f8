import type { Command } from '../command.js';
import { withStorage } from '../withStorage.js';
import { verifyAudit } from '../../security/auditLog.js';

export const auditVerify: Command = {
  name: 'audit:verify',
  summary: 'Verify the hash chain of the access audit log',
  help: `Usage: parley audit:verify [--json]

Recomputes every entry's hash and link. Exits 0 when the chain is intact; otherwise lists each
changed (tampered), removed (missing) or re-linked (broken_link) entry by its sequence number and
exits 2.`,
  async run(args) {
    const result = await withStorage((s) => verifyAudit(s.db));
    if (args.options.json) console.log(JSON.stringify(result, null, 2));
    else if (result.problems.length === 0) console.log(`audit chain intact: ${result.entries} entries`);
    else for (const p of result.problems) console.log(`entry ${p.seq}: ${p.problem} — ${p.detail}`);
    return result.problems.length === 0 ? 0 : 2;
  },
};
