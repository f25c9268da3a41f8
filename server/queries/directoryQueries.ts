/** Developer API read models for visitors and agents, tenant-scoped, paginated like every list. */
import type { Page, PageQuery } from '../../protocol/admin.js';
import type { AgentView, VisitorView } from '../../protocol/records.js';
import { notFound } from '../errors.js';
import { presentAgent, presentVisitor } from '../presenters/presenters.js';
import { openVisitors } from '../security/sealedFields.js';
import type { Db } from '../storage/db.js';
import type { Readers } from './conversationQueries.js';
import { pageOf } from './pagination.js';

/** Visitors newest first; personal fields are opened (they are sealed at rest) before presenting. */
export async function listVisitors(readers: Readers, tenantId: string, q: PageQuery): Promise<Page<VisitorView>> {
  const db = readers.storage.db;
  const { rows, nextCursor } = await pageOf(db.selectFrom('visitors').selectAll().where('tenant_id', '=', tenantId), q, { at: 'created_at', id: 'id' });
  return { items: (await openVisitors(readers.keyring, rows)).map(presentVisitor), nextCursor };
}

export async function visitorView(readers: Readers, tenantId: string, id: string): Promise<VisitorView> {
  const row = await readers.storage.db.selectFrom('visitors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('visitor');
  const [opened] = await openVisitors(readers.keyring, [row]);
  return presentVisitor(opened!);
}

export async function listAgents(db: Db, tenantId: string, q: PageQuery): Promise<Page<AgentView>> {
  const base = db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('disabled_at', 'is', null);
  const { rows, nextCursor } = await pageOf(base, q, { at: 'created_at', id: 'id' });
  return { items: rows.map(presentAgent), nextCursor };
}
