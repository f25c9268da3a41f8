/**
 * Proactive messages (issue 20 item 4): the tenant's rules, what the widget frame asks and is
 * answered, the shown / opened / replied report. A rule looks only at what the tenant's page declared
 * (`Parley.push(['page', name, attributes, signed])`), the time the frame has been on the page and the
 * shopper's identity (verified or not); the server evaluates it when the frame asks, and enforces the
 * per-visitor limits (PROACTIVE_LIMITS, each rule's cooldown). Routes validate with these schemas;
 * browser apps import only the types and constants.
 */
import Type, { type Static } from 'typebox';
import { IdentityClaim, PAGE_CONTEXT_LIMITS, PageContextClaim } from './contactCentre.js';
import { PROACTIVE_LIMITS } from './proactiveLimits.js';

const DateTime = Type.String({ format: 'date-time' });

export { PROACTIVE_LIMITS };

export const ProactiveAudience = Type.Union([Type.Literal('everyone'), Type.Literal('identified'), Type.Literal('anonymous')]);
export type ProactiveAudience = Static<typeof ProactiveAudience>;

export const ProactiveRuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    /** The text shown (a greeting or a question), plain text, redacted like any text the tenant sets. */
    message: Type.String({ minLength: 1, maxLength: PROACTIVE_LIMITS.text }),
    /** The page name the page declares (exact), or null: any page. */
    page: Type.Union([Type.String({ minLength: 1, maxLength: PAGE_CONTEXT_LIMITS.name }), Type.Null()]),
    /** Seconds the shopper has been on the page (measured by the frame) before it shows; 0: at once. */
    minSeconds: Type.Integer({ minimum: 0, maximum: PROACTIVE_LIMITS.maxSeconds }),
    /** An attribute the page declares, or null: none needed. */
    attribute: Type.Union([Type.String({ minLength: 1, maxLength: PAGE_CONTEXT_LIMITS.key }), Type.Null()]),
    /** The attribute's value (exact), or null: any value, as long as the attribute is there. */
    value: Type.Union([Type.String({ maxLength: PAGE_CONTEXT_LIMITS.value }), Type.Null()]),
    /** The page name and the attribute count only when signed by the tenant's backend (verified). */
    verifiedOnly: Type.Boolean(),
    /** Who: everyone, only shoppers with a verified identity, or only those without one. */
    audience: ProactiveAudience,
    cooldownHours: Type.Integer({ minimum: PROACTIVE_LIMITS.cooldownHours.min, maximum: PROACTIVE_LIMITS.cooldownHours.max }),
    enabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ProactiveRuleBody = Static<typeof ProactiveRuleBody>;

export const ProactiveRuleView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  message: Type.String(),
  page: Type.Union([Type.String(), Type.Null()]),
  minSeconds: Type.Integer({ minimum: 0 }),
  attribute: Type.Union([Type.String(), Type.Null()]),
  value: Type.Union([Type.String(), Type.Null()]),
  verifiedOnly: Type.Boolean(),
  audience: ProactiveAudience,
  cooldownHours: Type.Integer({ minimum: 1 }),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type ProactiveRuleView = Static<typeof ProactiveRuleView>;

/** A random id the frame keeps for this browser (its localStorage), when the shopper has no visitor token yet. */
export const VisitorKey = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', minLength: 16, maxLength: 64 });

/** POST /api/widget/proactive: the frame asks whether a message should show now (visitor token optional). */
export const ProactiveAskBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 64 }),
    visitorKey: VisitorKey,
    context: Type.Optional(PageContextClaim),
    /** Seconds since the frame came on the page. */
    secondsOnPage: Type.Integer({ minimum: 0, maximum: 86_400 }),
    identity: Type.Optional(IdentityClaim),
  },
  { additionalProperties: false },
);
export type ProactiveAskBody = Static<typeof ProactiveAskBody>;

export const ProactiveAnswer = Type.Object({
  /** The message to show now, or null. */
  message: Type.Union([Type.Object({ deliveryId: Type.String(), text: Type.String(), shownAt: DateTime }), Type.Null()]),
  /** A rule would match once the shopper has been on the page longer: ask again in this many seconds. */
  retryInSeconds: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
});
export type ProactiveAnswer = Static<typeof ProactiveAnswer>;

/** POST /api/widget/proactive/events: the shopper opened the chat with the message shown, or replied (visitor token). */
export const ProactiveEventBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 64 }),
    visitorKey: VisitorKey,
    deliveryId: Type.String({ minLength: 1, maxLength: 64 }),
    event: Type.Union([Type.Literal('opened'), Type.Literal('replied')]),
  },
  { additionalProperties: false },
);
export type ProactiveEventBody = Static<typeof ProactiveEventBody>;

export const ProactiveReportRow = Type.Object({
  rule: Type.Object({ id: Type.String(), name: Type.String() }),
  shown: Type.Integer({ minimum: 0 }),
  /** Shown, then the shopper opened the chat. */
  opened: Type.Integer({ minimum: 0 }),
  /** Shown, then the shopper sent a message. */
  replied: Type.Integer({ minimum: 0 }),
});
export type ProactiveReportRow = Static<typeof ProactiveReportRow>;
export const ProactiveReport = Type.Object({ from: DateTime, to: DateTime, rows: Type.Array(ProactiveReportRow) });
export type ProactiveReport = Static<typeof ProactiveReport>;
