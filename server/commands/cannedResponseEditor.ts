/** The tenant's canned responses (typed as /shortcut in the composer). */
import type { CannedBody, CannedResponseView } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { assertMayEditCanned } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentCannedResponse } from '../presenters/presenters.js';
import { newId } from '../security/ids.js';

export async function saveCannedResponse(ctx: Ctx, agent: Agent, id: string | null, body: CannedBody): Promise<CannedResponseView> {
  assertMayEditCanned(agent);
  const db = ctx.storage.db;
  const values = { shortcut: body.shortcut, title: body.title.trim(), body: body.body };
  try {
    if (id) {
      assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('canned_responses').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'canned response');
      await db.updateTable('canned_responses').set(values).where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
    } else {
      id = newId('cnd');
      await db.insertInto('canned_responses').values({ id, tenant_id: agent.tenant_id, ...values, created_by: agent.id, created_at: Date.now() }).execute();
    }
  } catch (err) {
    if (ctx.storage.isUniqueViolation(err)) throw new AppError('conflict', `the shortcut /${body.shortcut} is already used`);
    throw err;
  }
  const row = await db.selectFrom('canned_responses').selectAll().where('id', '=', id).where('tenant_id', '=', agent.tenant_id).executeTakeFirstOrThrow();
  return presentCannedResponse(row);
}

export async function deleteCannedResponse(ctx: Ctx, agent: Agent, id: string): Promise<void> {
  assertMayEditCanned(agent);
  const db = ctx.storage.db;
  assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('canned_responses').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'canned response');
  await db.deleteFrom('canned_responses').where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
}
