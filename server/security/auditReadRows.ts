/**
 * Reading the access audit back for the checkpointer (auditCheckpointer.ts) so that no single row
 * can stop it: a row whose read fails is reported, not thrown, and the rows after it are read.
 */
import type { Db } from '../storage/db.js';
import type { AuditEntry } from '../storage/schema.js';
import { auditLeaf } from './auditTlog.js';
import { leafHash } from './tlog/merkle.js';

/** A row read, or the seq of one that could not be read (its read throws). */
export type ReadRow = { seq: number; row: AuditEntry | 'unreadable' };

/**
 * Audit rows in seq order like auditRows, but one row that cannot be read (a view put in the table's
 * place that fails on it, a value the driver refuses) does not fail the pass: its page is read
 * again seq by seq, and that row comes out as 'unreadable'. Only when not even the seqs can be read
 * does it throw.
 */
export async function* readableRows(db: Db, after: number, upTo: number, page = 100): AsyncGenerator<ReadRow> {
  const top = Math.min(upTo, 2 ** 31 - 1);
  let from = after;
  for (;;) {
    let rows: ReadRow[];
    try {
      rows = (await db.selectFrom('audit_log').selectAll().where('seq', '>', from).where('seq', '<=', top).orderBy('seq').limit(page).execute()).map((row) => ({ seq: row.seq, row }));
    } catch {
      const seqs = await db.selectFrom('audit_log').select('seq').where('seq', '>', from).where('seq', '<=', top).orderBy('seq').limit(page).execute();
      rows = [];
      for (const { seq } of seqs) {
        try {
          const row = await db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirst();
          if (row) rows.push({ seq, row });
        } catch {
          rows.push({ seq, row: 'unreadable' });
        }
      }
    }
    for (const r of rows) yield r;
    if (rows.length < page) return;
    from = rows[rows.length - 1]!.seq;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** An entry's leaf hash, or null when its row cannot be hashed (a value of a type no entry holds). */
export function safeLeaf(row: AuditEntry): Buffer | null {
  try {
    return leafHash(auditLeaf(row));
  } catch {
    return null;
  }
}
