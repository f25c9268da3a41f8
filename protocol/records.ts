import Type, { type Static } from 'typebox';

/** What a message looks like on every wire (HTTP and WebSocket). Produced only by server/presenters. */
export const MessageView = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  /** Per-conversation sequence number, 1, 2, 3... with no gaps. Clients resume from the last one seen. */
  seq: Type.Integer({ minimum: 1 }),
  /** The id the sender chose; retries with the same id are deduplicated. */
  clientId: Type.String(),
  author: Type.Object({
    kind: Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('system')]),
    id: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
  }),
  /** Plain text. Never HTML: every client renders it as text. */
  body: Type.String(),
  /** Private notes are seen by agents only. */
  internal: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  /** A file sent with the message (contact centre): type checked by content; `url` serves it (same origin). */
  attachment: Type.Optional(
    Type.Object({ id: Type.String(), name: Type.String(), type: Type.String(), size: Type.Integer(), url: Type.String() }),
  ),
});
export type MessageView = Static<typeof MessageView>;

export const ConversationStatus = Type.Union([Type.Literal('open'), Type.Literal('resolved')]);
export type ConversationStatus = Static<typeof ConversationStatus>;

export const VisitorView = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  /** Page the visitor was on when the conversation started, and their browser. */
  currentPage: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  /** The contact (customer) this browser belongs to (issue 20): GET /api/contacts/{id}. */
  contactId: Type.Optional(Type.String()),
});
export type VisitorView = Static<typeof VisitorView>;

export const ConversationView = Type.Object({
  id: Type.String(),
  status: ConversationStatus,
  visitor: VisitorView,
  assignee: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  /** Highest message seq in the conversation (0 when empty). */
  lastSeq: Type.Integer({ minimum: 0 }),
  lastMessage: Type.Union([MessageView, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  // --- contact centre (issue 5) ---
  /** The team (queue) it belongs to. */
  team: Type.Optional(Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()])),
  /** 'offline' for a "leave a message" conversation. */
  channel: Type.Optional(Type.Union([Type.Literal('chat'), Type.Literal('offline')])),
  /** The knowledge-base bot is answering; no agent is asked until it hands off. */
  botActive: Type.Optional(Type.Boolean()),
  /** Highest seq each side has received on a socket and seen (read receipts). */
  receipts: Type.Optional(
    Type.Object({ visitorDelivered: Type.Integer(), visitorRead: Type.Integer(), agentDelivered: Type.Integer(), agentRead: Type.Integer() }),
  ),
  // --- agent productivity (issue 20): agents only, never sent to the visitor ---
  priority: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('urgent')])),
  labels: Type.Optional(Type.Array(Type.Object({ id: Type.String(), name: Type.String(), color: Type.String() }))),
  /** Out of the open lists until `snoozedUntil` (null: until the visitor writes again). */
  snoozed: Type.Optional(Type.Boolean()),
  snoozedUntil: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
});
export type ConversationView = Static<typeof ConversationView>;

export const AgentRole = Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('agent')]);
export type AgentRole = Static<typeof AgentRole>;

export const AgentView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: AgentRole,
});
export type AgentView = Static<typeof AgentView>;

export const TenantView = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  /** Public key used in the embed snippet (not a secret). */
  widgetKey: Type.String(),
  brandColor: Type.String(),
  position: Type.Union([Type.Literal('right'), Type.Literal('left')]),
  greeting: Type.String(),
  allowedOrigins: Type.Array(Type.String()),
});
export type TenantView = Static<typeof TenantView>;

export const IncidentView = Type.Object({
  id: Type.String(),
  /** Null for platform-wide incidents (a tampered release concerns every tenant). */
  tenantId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  severity: Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]),
  summary: Type.String(),
  details: Type.Unknown(),
  createdAt: Type.String({ format: 'date-time' }),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type IncidentView = Static<typeof IncidentView>;
