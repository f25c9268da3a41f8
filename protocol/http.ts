/**
 * HTTP request and response bodies. Routes use these schemas for validation and OpenAPI;
 * clients import only the types.
 */
import Type, { type Static } from 'typebox';
import { LIMITS } from './limits.js';
import { IdentityClaim, PageContextClaim, VisitorLanguage } from './contactCentre.js';
import { AgentView, ConversationView, MessageView, TenantView } from './records.js';

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const ShortText = (max: number) => Type.String({ maxLength: max });

// ---------- widget (visitor) ----------

/**
 * The greeting in a language of its own: a visitor whose widget speaks that language sees it instead
 * of `greeting` (which stays the greeting for every other language).
 */
export const Greetings = Type.Object(
  { en: Type.Optional(Type.String({ maxLength: 300 })), fr: Type.Optional(Type.String({ maxLength: 300 })) },
  { additionalProperties: false },
);
export type Greetings = Static<typeof Greetings>;

export const WidgetConfigQuery = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64 }) });
export const WidgetConfig = Type.Object({
  tenantName: Type.String(),
  brandColor: Type.String(),
  position: Type.Union([Type.Literal('right'), Type.Literal('left')]),
  greeting: Type.String(),
  /** The greeting per language, where the tenant wrote one (absent or missing a language: `greeting`). */
  greetings: Type.Optional(Greetings),
  /** True while at least one agent of the tenant is connected. */
  agentsOnline: Type.Boolean(),
  /** The admin's widget language; 'auto' (or absent): the visitor's browser language. */
  language: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('en'), Type.Literal('fr')])),
  /** The pre-chat fields the admin chose, in order (absent: name and email, both optional). */
  prechatFields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), required: Type.Boolean() }))),
  /** The tenant's extra redaction patterns (regex sources, flags `giu`), applied before sending. */
  redactionPatterns: Type.Optional(Type.Array(Type.String())),
});
export type WidgetConfig = Static<typeof WidgetConfig>;

export const WidgetSessionBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 64 }),
    /** A token from an earlier session: the same visitor continues. Invalid or foreign tokens start a new visitor. */
    token: Type.Optional(Type.String({ maxLength: 512 })),
    /** Pre-chat form. */
    name: Type.Optional(ShortText(100)),
    email: Type.Optional(Type.Union([Email, Type.Literal('')])),
    /** Page (origin and path) the widget is shown on. */
    page: Type.Optional(ShortText(2000)),
    /** A logged-in shopper's id as vouched for by the tenant's backend (HMAC or JWT); see protocol/contactCentre.ts. */
    identity: Type.Optional(IdentityClaim),
    /** What the tenant's page said about itself through the loader; see protocol/contactCentre.ts. */
    context: Type.Optional(PageContextClaim),
    /** The widget's language: server-made words for this visitor (handoff, transfers, transcript) follow it. */
    language: Type.Optional(VisitorLanguage),
  },
  { additionalProperties: false },
);
export type WidgetSessionBody = Static<typeof WidgetSessionBody>;
export const WidgetSession = Type.Object({ token: Type.String(), visitorId: Type.String() });
export type WidgetSession = Static<typeof WidgetSession>;

// ---------- agent auth ----------

export const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    /** The 6-digit TOTP code, when the agent has two-factor on (a login without it answers 401 with details.totpRequired). */
    totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;
/** Returned by login and /api/auth/me. Send csrfToken as the x-csrf-token header on every non-GET request. */
export const SessionInfo = Type.Object({
  agent: AgentView,
  tenant: TenantView,
  /** Send as x-csrf-token on changes. Empty when the caller is an API key (keys need no CSRF token). */
  csrfToken: Type.String(),
  /** Present when the caller is an API key: which key, and what it may do now (its scopes ∩ its creator's current role). */
  apiKey: Type.Optional(Type.Object({ id: Type.String(), scopes: Type.Array(Type.String()) })),
  /** Two-factor state (issue 6): when totpEnrolmentRequired, only enrolment and logout are allowed. */
  security: Type.Optional(Type.Object({ totpEnabled: Type.Boolean(), totpEnrolmentRequired: Type.Boolean(), operator: Type.Boolean() })),
});
export type SessionInfo = Static<typeof SessionInfo>;

// ---------- conversations ----------

export const InboxView = Type.Union([Type.Literal('unassigned'), Type.Literal('mine'), Type.Literal('all'), Type.Literal('snoozed')]);
export type InboxView = Static<typeof InboxView>;

export const ConversationListQuery = Type.Object(
  {
    view: Type.Optional(InboxView),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** Opaque cursor from the previous page's nextCursor. */
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    /** Only conversations carrying this label (issue 20). */
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    priority: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('urgent')])),
    /** recent (default): last activity first; priority: urgent first, then last activity. */
    sort: Type.Optional(Type.Union([Type.Literal('recent'), Type.Literal('priority')])),
  },
  { additionalProperties: false },
);
export type ConversationListQuery = Static<typeof ConversationListQuery>;
export const ConversationList = Type.Object({
  items: Type.Array(ConversationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type ConversationList = Static<typeof ConversationList>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const MessageListQuery = Type.Object(
  {
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.historyPageSize })),
  },
  { additionalProperties: false },
);
export const MessageList = Type.Object({ items: Type.Array(MessageView), more: Type.Boolean() });
export type MessageList = Static<typeof MessageList>;

export const MessageCreateBody = Type.Object(
  {
    clientId: Type.String({ minLength: 1, maxLength: LIMITS.maxClientIdChars, pattern: '^[A-Za-z0-9_.:-]+$' }),
    body: Type.String({ minLength: 1, maxLength: LIMITS.maxMessageChars }),
    internal: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type MessageCreateBody = Static<typeof MessageCreateBody>;

export const AssignBody = Type.Object(
  { agentId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]) },
  { additionalProperties: false },
);
export type AssignBody = Static<typeof AssignBody>;

// ---------- tenant ----------

export const EmbedSnippet = Type.Object({
  loaderUrl: Type.String(),
  integrity: Type.String(),
  snippet: Type.String(),
});
export type EmbedSnippet = Static<typeof EmbedSnippet>;
