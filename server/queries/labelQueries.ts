/** Labels of the tenant and of its conversations (issue 20). */
import type { LabelView } from '../../protocol/productivity.js';
import type { Db } from '../storage/db.js';
import '../storage/productivitySchema.js';

export async function labelsOf(db: Db, tenantId: string, conversationIds: string[]): Promise<Map<string, LabelView[]>> {
  const out = new Map<string, LabelView[]>();
  if (conversationIds.length === 0) return out;
  const rows = await db
    .selectFrom('conversation_labels as cl')
    .innerJoin('labels as l', 'l.id', 'cl.label_id')
    .select(['cl.conversation_id', 'l.id', 'l.name', 'l.color'])
    .where('cl.tenant_id', '=', tenantId)
    .where('l.tenant_id', '=', tenantId)
    .where('cl.conversation_id', 'in', conversationIds)
    .orderBy('l.name')
    .execute();
  for (const r of rows) {
    let list = out.get(r.conversation_id);
    if (!list) out.set(r.conversation_id, (list = []));
    list.push({ id: r.id, name: r.name, color: r.color });
  }
  return out;
}

export async function tenantLabels(db: Db, tenantId: string): Promise<LabelView[]> {
  return (await db.selectFrom('labels').select(['id', 'name', 'color']).where('tenant_id', '=', tenantId).orderBy('name_key').execute()).map((l) => ({ ...l }));
}
