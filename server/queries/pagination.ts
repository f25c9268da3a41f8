/**
 * One cursor scheme for every list of the API: rows ordered newest first by (time, id), the cursor
 * being `<time>:<id>` of the last row returned. Used by conversations, visitors, agents, API keys,
 * webhooks and deliveries; teams or articles use it the same way.
 */
import type { SelectQueryBuilder } from 'kysely';
import { AppError } from '../errors.js';

export const DEFAULT_PAGE = 50;

export interface Cursor {
  at: number;
  id: string;
}

export function parseCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  const m = /^(\d{1,16}):([A-Za-z0-9_]{1,64})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not valid');
  return { at: Number(m[1]), id: m[2]! };
}

/**
 * Applies `(time, id) < cursor`, newest-first order and limit+1 to a query; `finish` turns the rows
 * into `{ items, nextCursor }`. The columns must be of the query's table (`created_at`, `id`, …).
 */
export async function pageOf<DB, TB extends keyof DB, Row extends Record<string, unknown>>(
  query: SelectQueryBuilder<DB, TB, Row>,
  q: { limit?: number; cursor?: string },
  columns: { at: string; id: string },
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const limit = q.limit ?? DEFAULT_PAGE;
  const c = parseCursor(q.cursor);
  // Column names are fixed strings from callers, never input; Kysely's typing cannot follow them.
  let qb = query as unknown as SelectQueryBuilder<any, any, Row>;
  if (c) qb = qb.where((eb: any) => eb.or([eb(columns.at, '<', c.at), eb.and([eb(columns.at, '=', c.at), eb(columns.id, '<', c.id)])]));
  const rows = await qb.orderBy(columns.at, 'desc').orderBy(columns.id, 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1] as Record<string, unknown> | undefined;
  const key = (col: string) => col.split('.').pop()!;
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? `${String(last[key(columns.at)])}:${String(last[key(columns.id)])}` : null,
  };
}
