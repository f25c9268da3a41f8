/**
 * Which team a waiting conversation goes to by its visitor's page context (issue 19): the first
 * team (by name) with a rule that matches. A rule names a page and/or an attribute (and optionally
 * its value); verifiedOnly counts only what the tenant's backend signed (security/pageContext.ts).
 */
import type { RoutingRule } from '../../protocol/contactCentre.js';
import { AppError } from '../errors.js';

export interface ContextForRouting {
  page: string | null;
  pageVerified: boolean;
  attributes: Array<{ key: string; value: string; verified: boolean }>;
}

export function ruleMatches(rule: RoutingRule, ctx: ContextForRouting): boolean {
  if (!rule.page && !rule.attribute) return false;
  if (rule.page !== undefined && (ctx.page !== rule.page || (rule.verifiedOnly && !ctx.pageVerified))) return false;
  if (rule.attribute !== undefined) {
    const a = ctx.attributes.find((x) => x.key === rule.attribute);
    if (!a || (rule.verifiedOnly && !a.verified)) return false;
    if (rule.value !== undefined && a.value !== rule.value) return false;
  }
  return true;
}

/** The team whose rules first match, teams taken by name (then id) so the choice is stable. */
export function teamForContext(teams: Array<{ id: string; name: string; rules: RoutingRule[] }>, ctx: ContextForRouting | null): string | null {
  if (!ctx) return null;
  const sorted = [...teams].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  return sorted.find((t) => t.rules.some((r) => ruleMatches(r, ctx)))?.id ?? null;
}

/** Rules as saved: trimmed; a rule with neither page nor attribute, or a value without attribute, is refused. */
export function checkRoutingRules(rules: RoutingRule[]): RoutingRule[] {
  return rules.map((r, i) => {
    const page = r.page?.trim() || undefined;
    const attribute = r.attribute?.trim() || undefined;
    const value = r.value?.trim() || undefined;
    if (!page && !attribute) throw new AppError('validation_failed', `routingRules[${i}]: name a page or an attribute`);
    if (value !== undefined && !attribute) throw new AppError('validation_failed', `routingRules[${i}]: a value needs an attribute`);
    return { ...(page ? { page } : {}), ...(attribute ? { attribute } : {}), ...(value ? { value } : {}), verifiedOnly: r.verifiedOnly };
  });
}

/** A team row's stored rules (JSON), tolerant of an old or damaged value. */
export function storedRules(json: string | null | undefined): RoutingRule[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as RoutingRule[]) : [];
  } catch {
    return [];
  }
}
