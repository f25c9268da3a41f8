/**
 * Whether a proactive rule matches what is known of the shopper now (issue 20 item 4). Inputs are only
 * what the tenant's page declared (its page context, checked by security/pageContext.ts: a value is
 * verified only when it came signed by the tenant's backend), the seconds the frame has been on the
 * page, and whether the shopper's identity is verified. Pure: no storage, no clock.
 */
import type { ProactiveRuleTable } from '../storage/proactiveSchema.js';
import type { StoredPageContext } from '../security/pageContext.js';

export interface ProactiveFacts {
  context: StoredPageContext | null;
  secondsOnPage: number;
  /** The shopper's identity is verified (HMAC or JWT with the tenant's identity secret). */
  identified: boolean;
}

export type RuleCondition = Pick<ProactiveRuleTable, 'page' | 'min_seconds' | 'attribute' | 'value' | 'verified_only' | 'audience'>;

/** 'now'; or the seconds still to wait when only the time on page is missing; or 'no'. */
export function matchRule(rule: RuleCondition, facts: ProactiveFacts): 'now' | 'no' | number {
  const verifiedOnly = rule.verified_only === 1;
  const ctx = facts.context;
  if (rule.page !== null) {
    if (!ctx || ctx.page !== rule.page) return 'no';
    if (verifiedOnly && !ctx.pageVerified) return 'no';
  }
  if (rule.attribute !== null) {
    const found = ctx?.attributes.find((a) => a.key === rule.attribute);
    if (!found) return 'no';
    if (rule.value !== null && found.value !== rule.value) return 'no';
    if (verifiedOnly && !found.verified) return 'no';
  }
  if (rule.audience === 'identified' && !facts.identified) return 'no';
  if (rule.audience === 'anonymous' && facts.identified) return 'no';
  const wait = rule.min_seconds - facts.secondsOnPage;
  return wait > 0 ? wait : 'now';
}
