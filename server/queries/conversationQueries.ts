/** Read models for conversations, always scoped to one tenant. */
import type { ConversationView } from '../../protocol/records.js';
import type { InboxView } from '../../protocol/http.js';
import type { Db } from '../storage/db.js';
import type { Conversation } from '../storage/schema.js';
import { presentConversation } from '../presenters/presenters.js';
import { AppError } from '../errors.js';
import type { Ctx } from '../context.js';
import { openMessages, openVisitors } from '../security/sealedFields.js';
import { labelsOf } from './labelQueries.js';
import { inboxFilters, priorityCursor, type InboxFilters } from './inboxFilters.js';

/** What a read model needs: the database and the keys that open its sealed fields. */
export type Readers = Pick<Ctx, 'storage' | 'keyring'>;

export async function conversationViews(readers: Readers, tenantId: string, rows: Conversation[]): Promise<ConversationView[]> {
  if (rows.length === 0) return [];
  const db = readers.storage.db;
  const visitorIds = [...new Set(rows.map((r) => r.visitor_id))];
  const assigneeIds = [...new Set(rows.map((r) => r.assignee_id).filter((x): x is string => !!x))];
  const [visitors, assignees, lastMessages] = await Promise.all([
    db.selectFrom('visitors').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', visitorIds).execute(),
    assigneeIds.length
      ? db.selectFrom('agents').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', assigneeIds).execute()
      : Promise.resolve([]),
    // The last public message of each conversation: the preview an inbox shows.
    db
      .selectFrom('messages as m')
      .selectAll('m')
      .where('m.tenant_id', '=', tenantId)
      .where('m.conversation_id', 'in', rows.map((r) => r.id))
      .where('m.internal', '=', 0)
      .where('m.seq', '=', (eb) =>
        eb
          .selectFrom('messages as m2')
          .select((e) => e.fn.max('m2.seq').as('s'))
          .whereRef('m2.conversation_id', '=', 'm.conversation_id')
          .where('m2.internal', '=', 0),
      )
      .execute(),
  ]);
  const vById = new Map((await openVisitors(readers.keyring, visitors)).map((v) => [v.id, v]));
  const aById = new Map(assignees.map((a) => [a.id, a]));
  const teamIds = [...new Set(rows.map((r) => r.team_id).filter((x): x is string => !!x))];
  const teams = teamIds.length ? await db.selectFrom('teams').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', teamIds).execute() : [];
  const tById = new Map(teams.map((t) => [t.id, t]));
  const mById = new Map((await openMessages(readers.keyring, lastMessages)).map((m) => [m.conversation_id, m]));
  const labels = await labelsOf(db, tenantId, rows.map((r) => r.id));
  return rows.map((r) => {
    const visitor = vById.get(r.visitor_id);
    if (!visitor) throw new AppError('internal', 'conversation without visitor');
    const view = presentConversation(r, visitor, r.assignee_id ? (aById.get(r.assignee_id) ?? null) : null, mById.get(r.id) ?? null, r.team_id ? (tById.get(r.team_id) ?? null) : null);
    view.labels = labels.get(r.id) ?? [];
    return view;
  });
}

/** The id of the visitor's latest conversation (with `openOnly`, latest open one), if any. */
export async function latestConversationId(db: Db, tenantId: string, visitorId: string, opts: { openOnly?: boolean } = {}): Promise<string | null> {
  const latest = await db
    .selectFrom('conversations')
    .select(['id'])
    .where('tenant_id', '=', tenantId)
    .where('visitor_id', '=', visitorId)
    .$if(!!opts.openOnly, (q) => q.where('status', '=', 'open'))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return latest?.id ?? null;
}

export async function conversationView(readers: Readers, tenantId: string, id: string): Promise<ConversationView> {
  const row = await readers.storage.db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'conversation not found');
  const [view] = await conversationViews(readers, tenantId, [row]);
  return view!;
}

/**
 * Cursor = `<updated_at>:<id>` of the last item (with sort=priority, `p<rank>:<updated_at>:<id>`), so
 * pages stay stable while new activity arrives. Snoozed conversations leave the open lists (views
 * unassigned, mine, and all with status=open) and are listed by view=snoozed (queries/inboxFilters.ts).
 */
export async function listConversations(
  readers: Readers,
  tenantId: string,
  agentId: string,
  q: { view?: InboxView; status?: 'open' | 'resolved'; limit?: number; cursor?: string } & InboxFilters,
): Promise<{ items: ConversationView[]; nextCursor: string | null }> {
  const db = readers.storage.db;
  const limit = q.limit ?? 50;
  const view = q.view ?? 'all';
  let query = db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId);
  const status = q.status ?? (view === 'all' ? undefined : 'open');
  if (status) query = query.where('status', '=', status);
  if (view === 'unassigned') query = query.where('assignee_id', 'is', null);
  if (view === 'mine') query = query.where('assignee_id', '=', agentId);
  query = inboxFilters(query, tenantId, view, status, q);
  const byPriority = q.sort === 'priority';
  if (q.cursor) query = byPriority ? priorityCursor(query, q.cursor) : recentCursor(query, q.cursor);
  if (byPriority) query = query.orderBy('priority', 'desc');
  const rows = await query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: await conversationViews(readers, tenantId, page),
    nextCursor: rows.length > limit && last ? `${byPriority ? `p${last.priority ?? 1}:` : ''}${last.updated_at}:${last.id}` : null,
  };
}

function recentCursor<Q extends { where: (...a: any[]) => Q }>(query: Q, cursor: string): Q {
  const m = /^(\d{1,16}):([A-Za-z0-9_]{1,64})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not valid');
  const at = Number(m[1]);
  const id = m[2]!;
  return query.where((eb: any) => eb.or([eb('updated_at', '<', at), eb.and([eb('updated_at', '=', at), eb('id', '<', id)])]));
}
