/**
 * Proactive messages to the shopper (issue 20 item 4), decided by the server when the widget frame
 * asks. The inputs are only what the tenant's page declared (its page context, verified when signed),
 * the seconds the frame has been on the page, and the shopper's identity (verified or not): Parley
 * never reads the page. The server enforces the per-visitor limits: at most
 * PROACTIVE_LIMITS.perVisitor messages per PROACTIVE_LIMITS.periodHours, never the same rule twice
 * within its cooldown, and nothing while the visitor has an open conversation. Each message shown is
 * a `proactive_deliveries` row; the frame then reports `opened` (the shopper opened the chat with it
 * shown) and `replied` (checked: the visitor sent a message after it was shown).
 *
 * Asks of one visitor may arrive at the same instant (tabs, a verified shopper's devices): the
 * decision to show is taken again, and recorded, under the visitor's lock (storage/transactionLock.ts).
 */
import { PROACTIVE_LIMITS, type ProactiveAnswer, type ProactiveAskBody, type ProactiveEventBody } from '../../protocol/proactive.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { matchRule, type ProactiveFacts } from '../policies/proactiveRules.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { contactSettings } from '../queries/contactSettingsQueries.js';
import { checkPageContext } from '../security/pageContext.js';
import { checkIdentity } from '../security/visitorIdentity.js';
import { newId } from '../security/ids.js';
import '../storage/proactiveSchema.js';
import type { Db } from '../storage/db.js';
import type { ProactiveRuleTable } from '../storage/proactiveSchema.js';
import { lockKeys } from '../storage/transactionLock.js';

const HOUR = 3_600_000;

export interface ProactiveVisitor {
  tenantId: string;
  visitorKey: string;
  /** From the visitor token, when the frame has one. */
  visitorId: string | null;
}

export async function askProactive(ctx: Ctx, who: ProactiveVisitor, ask: Pick<ProactiveAskBody, 'context' | 'secondsOnPage' | 'identity'>, now = Date.now()): Promise<ProactiveAnswer> {
  const db = ctx.storage.db;
  const none: ProactiveAnswer = { message: null, retryInSeconds: null };
  const rules = await db.selectFrom('proactive_rules').selectAll().where('tenant_id', '=', who.tenantId).where('enabled', '=', 1).orderBy('created_at').orderBy('id').execute();
  if (rules.length === 0) return none;
  // A shopper already in a conversation is not interrupted.
  if (who.visitorId) {
    const open = await db.selectFrom('conversations').select('id').where('tenant_id', '=', who.tenantId).where('visitor_id', '=', who.visitorId).where('status', '=', 'open').executeTakeFirst();
    if (open) return none;
  }
  const secret = ask.context || ask.identity ? (await contactSettings(db, who.tenantId)).identitySecret : null;
  const facts: ProactiveFacts = {
    context: ask.context ? checkPageContext(secret, ask.context, now, ctx.env.identityJwt) : null,
    secondsOnPage: ask.secondsOnPage,
    identified: ask.identity ? (checkIdentity(secret, ask.identity, now, ctx.env.identityJwt)?.verified ?? false) : false,
  };
  // Decided first without a lock: most asks show nothing (a rule waits for more seconds, or the limit
  // is reached), and those take no lock and open no write transaction. A message to show is decided
  // again under the locks of this browser's key and of the visitor (both count towards the limits),
  // with what was shown by then, and recorded in that transaction: asks arriving together are decided
  // one after the other, so they cannot all pass a limit that each alone would (a check-then-insert
  // race, with no row to lock yet). A lock on the visitor row would not do: a browser without a
  // session has none.
  const first = pickRule(rules, await shownTo(db, who, rules, now), facts, now);
  if (first.rule === null) return { message: null, retryInSeconds: first.wait };
  return db.transaction().execute(async (trx) => {
    await lockKeys(trx, ctx.storage.dialect, [`proactive:${who.tenantId}:key:${who.visitorKey}`, ...(who.visitorId ? [`proactive:${who.tenantId}:visitor:${who.visitorId}`] : [])]);
    const { rule, wait } = pickRule(rules, await shownTo(trx, who, rules, now), facts, now);
    if (rule === null) return { message: null, retryInSeconds: wait };
    const id = newId('pmd');
    await trx.insertInto('proactive_deliveries').values({ id, tenant_id: who.tenantId, rule_id: rule.id, visitor_key: who.visitorKey, visitor_id: who.visitorId, shown_at: now }).execute();
    return { message: { deliveryId: id, text: rule.message, shownAt: new Date(now).toISOString() }, retryInSeconds: null };
  });
}

type Rule = ProactiveRuleTable;
type Shown = Array<{ rule_id: string; shown_at: number }>;

/** What was shown to this visitor (this browser's key, or the visitor) within the longest window that matters. */
function shownTo(db: Db, who: ProactiveVisitor, rules: Rule[], now: number): Promise<Shown> {
  const since = now - Math.max(PROACTIVE_LIMITS.periodHours, ...rules.map((r) => r.cooldown_hours)) * HOUR;
  return db
    .selectFrom('proactive_deliveries')
    .select(['rule_id', 'shown_at'])
    .where('tenant_id', '=', who.tenantId)
    .where((eb) => (who.visitorId ? eb.or([eb('visitor_key', '=', who.visitorKey), eb('visitor_id', '=', who.visitorId)]) : eb('visitor_key', '=', who.visitorKey)))
    .where('shown_at', '>', since)
    .execute();
}

/** The first rule (oldest first) that shows now within the limits, or the soonest a waiting one may; none past the per-visitor limit. */
function pickRule(rules: Rule[], shown: Shown, facts: ProactiveFacts, now: number): { rule: Rule; wait: null } | { rule: null; wait: number | null } {
  if (shown.filter((d) => d.shown_at > now - PROACTIVE_LIMITS.periodHours * HOUR).length >= PROACTIVE_LIMITS.perVisitor) return { rule: null, wait: null };
  let wait: number | null = null;
  for (const rule of rules) {
    if (shown.some((d) => d.rule_id === rule.id && d.shown_at > now - rule.cooldown_hours * HOUR)) continue;
    const m = matchRule(rule, facts);
    if (m === 'now') return { rule, wait: null };
    if (m !== 'no') wait = wait === null ? m : Math.min(wait, m);
  }
  return { rule: null, wait };
}

/**
 * The shopper opened the chat with the message shown, or replied to it. Only the browser it was shown
 * to (its key) or its visitor may report; `replied` needs the visitor token and a message of that
 * visitor sent after the message was shown. Each is counted once.
 */
export async function recordProactiveEvent(ctx: Ctx, tenantId: string, body: Pick<ProactiveEventBody, 'deliveryId' | 'visitorKey' | 'event'>, visitorId: string | null, now = Date.now()): Promise<void> {
  const db = ctx.storage.db;
  const row = await db.selectFrom('proactive_deliveries').selectAll().where('id', '=', body.deliveryId).executeTakeFirst();
  const delivery = assertSameTenant({ tenantId }, row, 'proactive message');
  if (delivery.visitor_key !== body.visitorKey && !(visitorId && delivery.visitor_id === visitorId)) throw new AppError('not_found', 'proactive message not found');
  if (body.event === 'opened') {
    await db.updateTable('proactive_deliveries').set({ opened_at: now }).where('id', '=', delivery.id).where('tenant_id', '=', tenantId).where('opened_at', 'is', null).execute();
    return;
  }
  if (!visitorId) throw new AppError('unauthorized', 'a reply is reported with the visitor token (Authorization: Bearer <token>)');
  const sent = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('m.id')
    .where('c.tenant_id', '=', tenantId)
    .where('c.visitor_id', '=', visitorId)
    .where('m.tenant_id', '=', tenantId)
    .where('m.author_kind', '=', 'visitor')
    .where('m.created_at', '>=', delivery.shown_at)
    .executeTakeFirst();
  if (!sent) throw new AppError('conflict', 'this visitor has sent no message since the proactive message was shown');
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('proactive_deliveries').set({ replied_at: now, visitor_id: visitorId }).where('id', '=', delivery.id).where('tenant_id', '=', tenantId).where('replied_at', 'is', null).execute();
    await trx.updateTable('proactive_deliveries').set({ opened_at: now }).where('id', '=', delivery.id).where('tenant_id', '=', tenantId).where('opened_at', 'is', null).execute();
  });
}
