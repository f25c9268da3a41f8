/**
 * The team editor's routing rules (issue 19): "route here when the page says …". Each rule names a
 * page and/or an attribute (with an optional value), and may count only what the tenant's backend
 * signed. Used by teams.tsx; the server applies them (server/policies/routingRules.ts).
 */
import type { RoutingRule } from '../../../protocol/contactCentre.js';
import { t } from '../i18n.js';

/** Problems the server would refuse, in the user's language (empty: fine). */
export function ruleProblems(rules: RoutingRule[]): string[] {
  const out: string[] = [];
  rules.forEach((r, i) => {
    if (!r.page?.trim() && !r.attribute?.trim()) out.push(t.admRuleEmpty(i + 1));
    else if (r.value?.trim() && !r.attribute?.trim()) out.push(t.admRuleValueNeedsAttribute(i + 1));
  });
  return out;
}

/** Rules as the API takes them: empty fields left out, the rest trimmed. */
export function rulesToBody(rules: RoutingRule[]): RoutingRule[] {
  return rules.map((r) => {
    const page = r.page?.trim();
    const attribute = r.attribute?.trim();
    const value = r.value?.trim();
    return { ...(page ? { page } : {}), ...(attribute ? { attribute } : {}), ...(value ? { value } : {}), verifiedOnly: r.verifiedOnly };
  });
}

export function RoutingRulesFieldset(props: { rules: RoutingRule[]; onChange: (rules: RoutingRule[]) => void }) {
  const { rules, onChange } = props;
  const setRule = (i: number, patch: Partial<RoutingRule>) => onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset id="team-rules">
      <legend>{t.admRoutingRules}</legend>
      <p class="muted adm-small">{t.admRoutingRulesIntro}</p>
      {rules.length === 0 && <p class="muted adm-small">{t.admRuleNone}</p>}
      {rules.map((r, i) => (
        <div class="adm-rule" role="group" aria-label={t.admRuleNumber(i + 1)} key={i}>
          <label class="field">
            <span>{t.admRulePage}</span>
            <input class="rule-page" maxLength={100} value={r.page ?? ''} onInput={(e) => setRule(i, { page: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t.admRuleAttribute}</span>
            <input class="rule-attribute" maxLength={40} value={r.attribute ?? ''} onInput={(e) => setRule(i, { attribute: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t.admRuleValue}</span>
            <input class="rule-value" maxLength={200} value={r.value ?? ''} onInput={(e) => setRule(i, { value: e.currentTarget.value })} />
          </label>
          <label class="adm-check">
            <input type="checkbox" class="rule-verified" checked={r.verifiedOnly} onChange={(e) => setRule(i, { verifiedOnly: e.currentTarget.checked })} /> {t.admRuleVerifiedOnly}
          </label>
          <button type="button" class="btn btn-ghost btn-sm" aria-label={t.admRuleRemove(i + 1)} onClick={() => onChange(rules.filter((_, j) => j !== i))}>
            {t.admDelete}
          </button>
        </div>
      ))}
      {rules.length < 20 && (
        <button type="button" class="btn btn-secondary btn-sm" id="team-rule-add" onClick={() => onChange([...rules, { verifiedOnly: false }])}>
          {t.admRuleAdd}
        </button>
      )}
    </fieldset>
  );
}
