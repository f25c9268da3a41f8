/**
 * Contact-centre wire shapes (issue 5): teams and routing, presence, transfer, canned responses,
 * visitor context, offline messages, satisfaction ratings, transcripts, identity, knowledge base.
 * Routes validate with these schemas; clients import only the types.
 */
import Type, { type Static } from 'typebox';
import { LIMITS } from './limits.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
/** 24-hour local time; "24:00" is the end of the day, so a day can be open until midnight with no gap. */
const HHMM = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' });

// ---------- teams ----------

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening intervals per weekday, local to the team's time zone: { mon: [["09:00","17:30"]], … }. A missing day is closed. */
const Intervals = Type.Optional(Type.Array(Type.Tuple([HHMM, HHMM]), { maxItems: 6 }));
export const WeeklyHours = Type.Object(
  { mon: Intervals, tue: Intervals, wed: Intervals, thu: Intervals, fri: Intervals, sat: Intervals, sun: Intervals },
  { additionalProperties: false },
);
export type WeeklyHours = Partial<Record<Weekday, Array<[string, string]>>>;

export const RoutingStrategy = Type.Union([Type.Literal('round_robin'), Type.Literal('least_busy')]);
export type RoutingStrategy = Static<typeof RoutingStrategy>;

/**
 * A team's routing rule (issue 19): a waiting conversation goes to the first team (by name) with a
 * rule its visitor's page context matches. `page` must equal the page name the tenant's page gave;
 * `attribute` must be present and, with `value`, equal it. verifiedOnly: only what the tenant's
 * backend signed counts (a shopper can make up unsigned context). At least one of page / attribute.
 */
export const RoutingRule = Type.Object(
  {
    page: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    attribute: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    value: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    verifiedOnly: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RoutingRule = Static<typeof RoutingRule>;

export const TeamBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    strategy: RoutingStrategy,
    isDefault: Type.Optional(Type.Boolean()),
    /** IANA time zone, e.g. Europe/Paris. */
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    /** null: always open. */
    weeklyHours: Type.Union([WeeklyHours, Type.Null()]),
    holidays: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 100 }),
    notifyEmail: Type.Union([Email, Type.Null()]),
    memberIds: Type.Array(Id, { maxItems: 500 }),
    /** Route here when the visitor's page context matches (absent: unchanged on save, none on create). */
    routingRules: Type.Optional(Type.Array(RoutingRule, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type TeamBody = Static<typeof TeamBody>;

export interface TeamView {
  id: string;
  name: string;
  strategy: RoutingStrategy;
  isDefault: boolean;
  timeZone: string;
  weeklyHours: WeeklyHours | null;
  holidays: string[];
  notifyEmail: string | null;
  memberIds: string[];
  routingRules: RoutingRule[];
  /** Open right now by its hours and holidays. */
  openNow: boolean;
}

// ---------- presence ----------

export const PresenceStatus = Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]);
export type PresenceStatus = Static<typeof PresenceStatus>;

export const PresenceBody = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('away')])),
    maxChats: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
  },
  { additionalProperties: false },
);
export type PresenceBody = Static<typeof PresenceBody>;

export interface AgentPresenceView {
  id: string;
  name: string;
  /** Tells namesakes apart (the transfer control shows it when two agents share a name). */
  email: string;
  role: 'admin' | 'supervisor' | 'agent';
  /** online = a console is connected and the agent is not away. */
  status: PresenceStatus;
  /** What the agent chose (they may be "online" by choice but offline with no console open). */
  chosen: 'online' | 'away';
  activeChats: number;
  maxChats: number;
  teamIds: string[];
}

// ---------- transfer ----------

export const TransferBody = Type.Union([
  Type.Object({ agentId: Id }, { additionalProperties: false }),
  Type.Object({ teamId: Id }, { additionalProperties: false }),
]);
export type TransferBody = { agentId: string } | { teamId: string };

// ---------- canned responses ----------

export const CannedBody = Type.Object(
  {
    /** Typed after a slash in the composer: /refund. */
    shortcut: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9][a-z0-9_-]*$' }),
    title: Type.String({ minLength: 1, maxLength: 120 }),
    /** May use {{visitor.name}}, {{visitor.email}}, {{agent.name}}. */
    body: Type.String({ minLength: 1, maxLength: LIMITS.maxMessageChars }),
  },
  { additionalProperties: false },
);
export type CannedBody = Static<typeof CannedBody>;
export interface CannedResponseView {
  id: string;
  shortcut: string;
  title: string;
  body: string;
}

// ---------- visitor context ----------

export interface VisitorContextView {
  visitorId: string;
  /** The id the tenant's page claims; verified when its HMAC or JWT checked out. */
  identity: { userId: string; verified: boolean } | null;
  pagesSeen: Array<{ url: string; at: string }>;
  /** What the tenant's page said about itself (Parley.push(['page', name, attributes, signed])); verified = signed by the tenant's backend. */
  pageContext: PageContextView | null;
  /** The visitor's other conversations, newest first. */
  history: Array<{ id: string; status: 'open' | 'resolved'; createdAt: string; lastMessage: string | null }>;
  rating: { rating: number; comment: string | null } | null;
}

export interface PageContextView {
  page: string | null;
  pageVerified: boolean;
  attributes: Array<{ key: string; value: string; verified: boolean }>;
  at: string;
}

// ---------- widget: identity, offline, rating, transcript ----------

export const PAGE_CONTEXT_LIMITS = { name: 100, attributes: 20, key: 40, value: 200, signed: 4096 } as const;

/**
 * The page's own context, as the frame passes it on: a page name and string attributes (as the page
 * gave them; unverified), and optionally `signed`, an HS256 JWT made by the tenant's backend with its
 * identity secret whose payload carries `page` and/or `attributes` (and `exp`): those are verified.
 */
export const PageContextClaim = Type.Object(
  {
    page: Type.String({ maxLength: PAGE_CONTEXT_LIMITS.name }),
    attributes: Type.Record(Type.String({ maxLength: PAGE_CONTEXT_LIMITS.key }), Type.String({ maxLength: PAGE_CONTEXT_LIMITS.value }), { maxProperties: PAGE_CONTEXT_LIMITS.attributes }),
    signed: Type.Optional(Type.String({ minLength: 1, maxLength: PAGE_CONTEXT_LIMITS.signed })),
  },
  { additionalProperties: false },
);
export interface PageContextClaim {
  page: string;
  attributes: Record<string, string>;
  signed?: string;
}

/** POST /api/widget/context (visitor token): the page's context changed after the chat started. */
export const PageContextBody = Type.Object({ context: PageContextClaim }, { additionalProperties: false });
export type PageContextBody = Static<typeof PageContextBody>;

/** The widget's language; server-made words for this visitor follow it. */
export const VisitorLanguage = Type.Union([Type.Literal('en'), Type.Literal('fr')]);

/** Sent with the widget session: a logged-in shopper's id, signed by the tenant's backend. */
export const IdentityClaim = Type.Union([
  /** hash = hex HMAC-SHA256(identity secret, userId). */
  Type.Object({ userId: Type.String({ minLength: 1, maxLength: 200 }), hash: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: false }),
  /** An HS256 JWT signed with the identity secret; `sub` is the user id; `exp` is honoured. */
  Type.Object({ jwt: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
]);
export type IdentityClaim = { userId: string; hash?: string } | { jwt: string };

export const OfflineMessageBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ maxLength: 100 }),
    email: Email,
    body: Type.String({ minLength: 1, maxLength: LIMITS.maxMessageChars }),
  },
  { additionalProperties: false },
);
export type OfflineMessageBody = Static<typeof OfflineMessageBody>;

export const RatingBody = Type.Object(
  {
    conversationId: Id,
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type RatingBody = Static<typeof RatingBody>;

export const TranscriptBody = Type.Object(
  { conversationId: Id, email: Type.Optional(Email) },
  { additionalProperties: false },
);
export type TranscriptBody = Static<typeof TranscriptBody>;

/** What the widget needs to decide between live chat and "leave a message". */
export interface WidgetAvailability {
  /** Agents of the default team (or of the tenant) are online and the team is within its hours. */
  live: boolean;
  withinHours: boolean;
  agentsOnline: number;
  /** A knowledge-base bot answers first. */
  bot: boolean;
}

// ---------- knowledge base ----------

export const ArticleBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
);
export type ArticleBody = Static<typeof ArticleBody>;
export interface ArticleView {
  id: string;
  title: string;
  body: string;
  updatedAt: string;
}

export const ContactSettingsBody = Type.Object(
  { botEnabled: Type.Optional(Type.Boolean()), rotateIdentitySecret: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ContactSettingsBody = Static<typeof ContactSettingsBody>;
export interface ContactSettingsView {
  botEnabled: boolean;
  hasIdentitySecret: boolean;
  /** Only in the answer that created it: shown once. */
  identitySecret?: string;
}

export const IdParam = Type.Object({ id: Id });
