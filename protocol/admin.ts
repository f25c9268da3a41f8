/**
 * Administration, developer API and analytics wire shapes (issue 6). Routes validate with these
 * schemas and @fastify/swagger turns the same schemas into /docs/openapi.json; browser apps import
 * the types only.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { AgentRole, AgentView, TenantView, VisitorView } from './records.js';
import { Greetings } from './http.js';
import { API_SCOPES, PRECHAT_FIELDS, WEBHOOK_EVENTS, WIDGET_LANGUAGES } from './adminConstants.js';

export { API_SCOPES, PRECHAT_FIELDS, WEBHOOK_EVENTS, WIDGET_LANGUAGES };

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

// ---------- pagination: one shape for every list ----------

/** `?limit=&cursor=`: pass the previous page's nextCursor to get the next page. */
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;
/** Every list answers `{ items, nextCursor }`; nextCursor is null on the last page. */
export const Paged = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

// ---------- API keys ----------

export const ApiScope = Type.Union([Type.Literal('conversations:read'), Type.Literal('conversations:write'), Type.Literal('visitors:read'), Type.Literal('agents:read'), Type.Literal('reports:read'), Type.Literal('content:read'), Type.Literal('content:write'), Type.Literal('contacts:read'), Type.Literal('contacts:write'), Type.Literal('admin')]);
export type ApiScope = Static<typeof ApiScope>;

export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** The first characters of the key, to recognise it; the key itself is never shown again. */
  prefix: Type.String(),
  scopes: Type.Array(ApiScope),
  createdBy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  createdAt: DateTime,
  lastUsedAt: NullableDateTime,
  revokedAt: NullableDateTime,
});
export type ApiKeyView = Static<typeof ApiKeyView>;
export const ApiKeyCreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scopes: Type.Array(ApiScope, { minItems: 1, maxItems: API_SCOPES.length }) },
  { additionalProperties: false },
);
export type ApiKeyCreateBody = Static<typeof ApiKeyCreateBody>;
/** `token` is shown once: send it as `Authorization: Bearer <token>`. */
export const ApiKeyCreated = Type.Object({ apiKey: ApiKeyView, token: Type.String() });
export type ApiKeyCreated = Static<typeof ApiKeyCreated>;

// ---------- agents, invitations, sessions, two-factor ----------

export const AgentAdminView = Type.Object({
  ...AgentView.properties,
  disabled: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  createdAt: DateTime,
});
export type AgentAdminView = Static<typeof AgentAdminView>;
export const AgentUpdateBody = Type.Object(
  { role: Type.Optional(AgentRole), disabled: Type.Optional(Type.Boolean()), name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);
export type AgentUpdateBody = Static<typeof AgentUpdateBody>;

export const InvitationView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: AgentRole,
  invitedBy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  createdAt: DateTime,
  expiresAt: DateTime,
  acceptedAt: NullableDateTime,
  revokedAt: NullableDateTime,
});
export type InvitationView = Static<typeof InvitationView>;
export const InvitationCreateBody = Type.Object({ email: Email, role: AgentRole }, { additionalProperties: false });
export type InvitationCreateBody = Static<typeof InvitationCreateBody>;
/** `url` carries the one-time token in its fragment; it is shown once. */
export const InvitationCreated = Type.Object({
  invitation: InvitationView,
  url: Type.String(),
  token: Type.String(),
  /** True when the link was also emailed to the address (SMTP configured and accepted it). */
  emailed: Type.Optional(Type.Boolean()),
});
export type InvitationCreated = Static<typeof InvitationCreated>;
export const InvitationTokenQuery = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) }, { additionalProperties: false });
export const InvitationInfo = Type.Object({ email: Type.String(), role: AgentRole, tenantName: Type.String(), expiresAt: DateTime });
export type InvitationInfo = Static<typeof InvitationInfo>;
export const InvitationAcceptBody = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 12, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type InvitationAcceptBody = Static<typeof InvitationAcceptBody>;

export const SessionAdminView = Type.Object({
  /** A reference to the session (not its token). */
  id: Type.String(),
  agent: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
  createdAt: DateTime,
  expiresAt: DateTime,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  /** The session making this request. */
  current: Type.Boolean(),
});
export type SessionAdminView = Static<typeof SessionAdminView>;

export const TotpStatus = Type.Object({
  enabled: Type.Boolean(),
  /** The tenant requires two-factor and this agent has not enrolled: only enrolment is allowed. */
  enrolmentRequired: Type.Boolean(),
});
export type TotpStatus = Static<typeof TotpStatus>;
/** RFC 6238: SHA-1, 6 digits, 30 s. `secret` is base32 for typing into an authenticator app. */
export const TotpSetup = Type.Object({ secret: Type.String(), otpauthUri: Type.String() });
export type TotpSetup = Static<typeof TotpSetup>;
export const TotpCodeBody = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });
export type TotpCodeBody = Static<typeof TotpCodeBody>;

// ---------- widget settings ----------

export const PrechatField = Type.Object(
  { field: Type.Union([Type.Literal('name'), Type.Literal('email'), Type.Literal('phone'), Type.Literal('orderNumber')]), required: Type.Boolean() },
  { additionalProperties: false },
);
export type PrechatField = Static<typeof PrechatField>;
export const WidgetLanguage = Type.Union([Type.Literal('auto'), Type.Literal('en'), Type.Literal('fr')]);

export const TenantSettings = Type.Object({
  name: Type.String(),
  brandColor: Type.String(),
  position: Type.Union([Type.Literal('right'), Type.Literal('left')]),
  greeting: Type.String(),
  /** The greeting in English or French, shown instead of `greeting` to visitors whose widget speaks it. */
  greetings: Greetings,
  /** `auto` follows the visitor's browser. */
  language: WidgetLanguage,
  prechatFields: Type.Array(PrechatField),
  /** Bare origins (scheme://host[:port]) allowed to embed the widget. */
  allowedOrigins: Type.Array(Type.String()),
  /** Every agent of the tenant must use TOTP two-factor to sign in. */
  requireTotp: Type.Boolean(),
});
export type TenantSettings = Static<typeof TenantSettings>;
export const TenantSettingsPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    brandColor: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
    position: Type.Optional(Type.Union([Type.Literal('right'), Type.Literal('left')])),
    greeting: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** Per language: a text sets that language's greeting, an empty string removes it, an absent language is left as it is. */
    greetings: Type.Optional(Greetings),
    language: Type.Optional(WidgetLanguage),
    prechatFields: Type.Optional(Type.Array(PrechatField, { maxItems: PRECHAT_FIELDS.length })),
    allowedOrigins: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 })),
    requireTotp: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type TenantSettingsPatch = Static<typeof TenantSettingsPatch>;

// ---------- webhooks ----------

export const WebhookEventName = Type.Union([Type.Literal('conversation.created'), Type.Literal('conversation.updated'), Type.Literal('message.created'), Type.Literal('security.incident'), Type.Literal('security.exposure_report'), Type.Literal('audit.checkpoint'), Type.Literal('sla.breached'), Type.Literal('*')]);
export const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: DateTime,
  disabledAt: NullableDateTime,
});
export type WebhookView = Static<typeof WebhookView>;
export const WebhookCreateBody = Type.Object(
  { url: Type.String({ minLength: 8, maxLength: 2000 }), events: Type.Array(WebhookEventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length + 1 }) },
  { additionalProperties: false },
);
export type WebhookCreateBody = Static<typeof WebhookCreateBody>;
/** `secret` (whsec_…) verifies the Standard Webhooks signature; shown once. */
export const WebhookCreated = Type.Object({ webhook: WebhookView, secret: Type.String() });
export type WebhookCreated = Static<typeof WebhookCreated>;
export const WebhookDeliveryView = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  nextAttemptAt: NullableDateTime,
  deliveredAt: NullableDateTime,
});
export type WebhookDeliveryView = Static<typeof WebhookDeliveryView>;

// ---------- platform operator ----------

export const TenantAdminView = Type.Object({ ...TenantView.properties, createdAt: DateTime, agents: Type.Integer() });
export type TenantAdminView = Static<typeof TenantAdminView>;
export const TenantCreateBody = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,40}$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 }),
    /** Invites this address as the tenant's first admin. */
    adminEmail: Type.Optional(Email),
  },
  { additionalProperties: false },
);
export type TenantCreateBody = Static<typeof TenantCreateBody>;
export const TenantCreated = Type.Object({ tenant: TenantAdminView, invitationUrl: Type.Union([Type.String(), Type.Null()]) });
export type TenantCreated = Static<typeof TenantCreated>;

// ---------- developer API: visitors, agents ----------

export const VisitorList = Paged(VisitorView);
export const AgentList = Paged(AgentView);

// ---------- analytics ----------

export const ReportQuery = Type.Object(
  {
    /** Start (inclusive) and end (exclusive) of the period, ISO 8601. Default: the last 7 days. */
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    bucket: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')])),
    /** IANA time zone the hours and days are counted in (e.g. Europe/Paris). Default UTC. */
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;
const Ms = Type.Union([Type.Number(), Type.Null()]);
/** Durations in milliseconds; median and p90 by linear interpolation (PostgreSQL's percentile_cont). */
export const DurationStat = Type.Object({ count: Type.Integer(), medianMs: Ms, p90Ms: Ms });
export type DurationStat = Static<typeof DurationStat>;
export const SatisfactionStat = Type.Object({
  count: Type.Integer(),
  /** Mean rating 1–5, null when nobody rated. */
  average: Type.Union([Type.Number(), Type.Null()]),
  /** Share of ratings 4 or 5, 0–1. */
  positiveShare: Type.Union([Type.Number(), Type.Null()]),
});
export type SatisfactionStat = Static<typeof SatisfactionStat>;
const GroupRow = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  conversations: Type.Integer(),
  resolved: Type.Integer(),
  firstResponse: DurationStat,
  resolution: DurationStat,
  satisfaction: SatisfactionStat,
});
export type ReportGroupRow = Static<typeof GroupRow>;
export const Report = Type.Object({
  from: DateTime,
  to: DateTime,
  bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  timeZone: Type.Optional(Type.String()),
  /** Conversations started per bucket (hours or days of `timeZone`), every bucket of the period included. */
  volume: Type.Array(Type.Object({ start: DateTime, conversations: Type.Integer() })),
  conversations: Type.Integer(),
  firstResponse: DurationStat,
  resolution: DurationStat,
  satisfaction: SatisfactionStat,
  agents: Type.Array(GroupRow),
  /** Null until teams exist in this installation. */
  teams: Type.Union([Type.Array(GroupRow), Type.Null()]),
});
export type Report = Static<typeof Report>;
export const ReportCsvQuery = Type.Object(
  { ...ReportQuery.properties, table: Type.Optional(Type.Union([Type.Literal('volume'), Type.Literal('agents'), Type.Literal('teams')])) },
  { additionalProperties: false },
);
export type ReportCsvQuery = Static<typeof ReportCsvQuery>;
