/**
 * What a database-holding attacker does to the access audit (auditTlog.test.ts, auditTamper.test.ts):
 * rewrite the rows, renumber them, recompute every chain hash and the chain head, so the hash chain
 * alone finds nothing.
 */
import type { Db } from '../storage/db.js';
import type { AuditEntry } from '../storage/schema.js';
import { entryHash, GENESIS_HASH } from '../security/auditLog.js';

export async function rewriteAudit(db: Db, edit: (rows: AuditEntry[]) => AuditEntry[]): Promise<void> {
  const rows = edit(await db.selectFrom('audit_log').selectAll().orderBy('seq').execute());
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('audit_log').execute();
    let prev = GENESIS_HASH;
    for (const [i, r] of rows.entries()) {
      const row = { ...r, seq: i + 1, prev_hash: prev };
      const { hash: _h, ...rest } = row;
      prev = entryHash(rest);
      await trx.insertInto('audit_log').values({ ...row, hash: prev }).execute();
    }
    await trx.updateTable('audit_head').set({ seq: rows.length, hash: prev }).where('id', '=', 1).execute();
  });
}
