/** The inbox list's productivity filters: label, priority, snoozed (issue 20); always inside one tenant. */
import type { SelectQueryBuilder } from 'kysely';
import { priorityRank, type Priority } from '../../protocol/productivity.js';
import { AppError } from '../errors.js';
import type { Database } from '../storage/schema.js';
import '../storage/productivitySchema.js';

export interface InboxFilters {
  /** Only conversations carrying this label (an id of the tenant's; another tenant's matches nothing). */
  label?: string;
  priority?: Priority;
  sort?: 'recent' | 'priority';
}

type Q = SelectQueryBuilder<Database, 'conversations', any>;

export function inboxFilters<T extends Q>(query: T, tenantId: string, view: string, status: string | undefined, f: InboxFilters): T {
  let q: Q = query;
  if (view === 'snoozed') q = q.where('snoozed', '=', 1).where('status', '=', 'open');
  // A snoozed conversation leaves the open lists; it comes back at its time or on the visitor's next message.
  else if (status === 'open') q = q.where('snoozed', '=', 0);
  if (f.priority) q = q.where('priority', '=', priorityRank(f.priority));
  if (f.label) {
    const label = f.label;
    q = q.where('id', 'in', (eb) => eb.selectFrom('conversation_labels').select('conversation_id').where('tenant_id', '=', tenantId).where('label_id', '=', label));
  }
  return q as T;
}

/** `p<rank>:<updated_at>:<id>`: after the last item in (priority desc, updated_at desc, id desc) order. */
export function priorityCursor<T extends Q>(query: T, cursor: string): T {
  const m = /^p([0-3]):(\d{1,16}):([A-Za-z0-9_]{1,64})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not valid');
  const p = Number(m[1]);
  const at = Number(m[2]);
  const id = m[3]!;
  return (query as Q).where((eb) =>
    eb.or([
      eb('priority', '<', p),
      eb.and([eb('priority', '=', p), eb('updated_at', '<', at)]),
      eb.and([eb('priority', '=', p), eb('updated_at', '=', at), eb('id', '<', id)]),
    ]),
  ) as T;
}
