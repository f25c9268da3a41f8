/**
 * Create, change and delete the tenant's proactive-message rules (issue 20 item 4). Admins only
 * (content:write keys act with their creator's role); audited. The text is plain text, redacted
 * like any text the tenant sets (a card number typed into a greeting is masked before it is stored).
 */
import { PROACTIVE_LIMITS, type ProactiveRuleBody, type ProactiveRuleView } from '../../protocol/proactive.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { assertAdmin } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import type { AuditActor } from '../security/auditLog.js';
import { appendAudit } from '../security/auditLog.js';
import { newId } from '../security/ids.js';
import { redactString } from '../security/sinkRedaction.js';
import { proactiveRuleView } from '../queries/proactiveQueries.js';
import type { Agent } from '../storage/schema.js';
import '../storage/proactiveSchema.js';

const clean = (s: string) => redactString(s.trim());

export async function saveProactiveRule(ctx: Ctx, agent: Agent, id: string | null, body: ProactiveRuleBody, who: AuditActor): Promise<ProactiveRuleView> {
  assertAdmin(agent, 'manage proactive messages');
  const db = ctx.storage.db;
  const tenantId = agent.tenant_id;
  const name = clean(body.name);
  const message = clean(body.message);
  const page = body.page === null ? null : clean(body.page);
  const attribute = body.attribute === null ? null : clean(body.attribute);
  if (!name) throw new AppError('validation_failed', 'name is empty');
  if (!message) throw new AppError('validation_failed', 'message is empty');
  if (page === '') throw new AppError('validation_failed', 'page is empty (use null for any page)');
  if (attribute === '') throw new AppError('validation_failed', 'attribute is empty (use null for none)');
  if (body.value !== null && attribute === null) throw new AppError('validation_failed', 'value needs an attribute');
  if (body.verifiedOnly && page === null && attribute === null) throw new AppError('validation_failed', 'verifiedOnly needs a page or an attribute to verify');
  if (id) assertSameTenant({ tenantId }, await db.selectFrom('proactive_rules').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'proactive rule');
  else {
    const count = await db.selectFrom('proactive_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    if (Number(count.n) >= PROACTIVE_LIMITS.rules) throw new AppError('conflict', `at most ${PROACTIVE_LIMITS.rules} proactive rules per tenant`);
  }
  const now = Date.now();
  const cols = {
    name,
    message,
    page,
    min_seconds: body.minSeconds,
    attribute,
    value: body.value === null ? null : redactString(body.value),
    verified_only: body.verifiedOnly ? 1 : 0,
    audience: body.audience,
    cooldown_hours: body.cooldownHours,
    enabled: body.enabled ? 1 : 0,
    updated_at: now,
  };
  const ruleId = id ?? newId('pro');
  if (id) await db.updateTable('proactive_rules').set(cols).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
  else await db.insertInto('proactive_rules').values({ id: ruleId, tenant_id: tenantId, created_at: now, ...cols }).execute();
  await appendAudit(db, who, [{ tenantId, action: id ? 'proactive_rule.update' : 'proactive_rule.create', resourceType: 'proactive_rule', resourceId: ruleId, details: { ...body, name, message } }]);
  return proactiveRuleView(db, tenantId, ruleId);
}

/** Deletes a rule and its delivery records (its report rows go with it). */
export async function deleteProactiveRule(ctx: Ctx, agent: Agent, id: string, who: AuditActor): Promise<void> {
  assertAdmin(agent, 'manage proactive messages');
  const db = ctx.storage.db;
  const tenantId = agent.tenant_id;
  assertSameTenant({ tenantId }, await db.selectFrom('proactive_rules').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'proactive rule');
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('proactive_deliveries').where('tenant_id', '=', tenantId).where('rule_id', '=', id).execute();
    await trx.deleteFrom('proactive_rules').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  });
  await appendAudit(db, who, [{ tenantId, action: 'proactive_rule.delete', resourceType: 'proactive_rule', resourceId: id }]);
}
