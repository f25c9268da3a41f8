/**
 * A macro's changes as ONE write unit (storage/writeUnit.ts): reopen, priority, labels, assignee,
 * the reply (the same storeMessage unit body, in the same transaction) and resolve — all or
 * nothing. Plain data in and out, so on SQLite it runs on the writer thread like a message. A retry
 * whose reply is already stored (same clientId) undoes the whole attempt and answers "duplicate".
 */
import type { Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Database, Message } from '../storage/schema.js';
import type { UnitContext } from '../storage/writeUnit.js';
import { storeMessage, type StoreMessageInput } from './messageStore.js';
import '../storage/productivitySchema.js';

export interface MacroUnitInput {
  tenantId: string;
  conversationId: string;
  now: number;
  reopen: boolean;
  priority: number | null;
  labelIds: string[];
  /** undefined: leave the assignee; null: unassign. */
  assignTo?: string | null;
  message: StoreMessageInput | null;
  resolve: boolean;
}

export type MacroUnitOutput = { applied: { messageSeq: number | null; visitorId: string } } | { duplicate: Message };

export async function applyMacroUnit(trx: Transaction<Database>, input: MacroUnitInput, uctx: UnitContext): Promise<MacroUnitOutput> {
  const { tenantId, conversationId: id, now } = input;
  const conv = await trx.selectFrom('conversations').select(['id', 'tenant_id', 'visitor_id', 'status']).where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!conv) throw new AppError('not_found', 'conversation not found');
  const set = (values: Record<string, unknown>) => trx.updateTable('conversations').set({ ...values, updated_at: now }).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
  if (input.reopen && conv.status !== 'open') await set({ status: 'open', resolved_at: null });
  if (input.priority !== null) await set({ priority: input.priority });
  if (input.labelIds.length) {
    const found = await trx.selectFrom('labels').select('id').where('tenant_id', '=', tenantId).where('id', 'in', input.labelIds).execute();
    if (found.length !== new Set(input.labelIds).size) throw new AppError('not_found', 'label not found');
    await trx
      .insertInto('conversation_labels')
      .values(found.map((l) => ({ conversation_id: id, label_id: l.id, tenant_id: tenantId, created_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  if (input.assignTo !== undefined) {
    if (input.assignTo !== null) {
      const target = await trx.selectFrom('agents').select('id').where('id', '=', input.assignTo).where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).executeTakeFirst();
      if (!target) throw new AppError('not_found', 'agent not found');
    }
    await set({ assignee_id: input.assignTo });
  }
  let messageSeq: number | null = null;
  if (input.message) {
    let undone = false;
    const out = await storeMessage(trx, input.message, { ...uctx, undo: () => (undone = true) });
    if ('duplicate' in out || undone) {
      uctx.undo();
      if ('duplicate' in out) return { duplicate: out.duplicate };
      throw new Error('message unit undone without a duplicate');
    }
    messageSeq = out.stored.seq;
  }
  if (input.resolve) await set({ status: 'resolved', resolved_at: now, snoozed: 0, snoozed_until: null });
  return { applied: { messageSeq, visitorId: conv.visitor_id } };
}
