/**
 * The realtime protocol: JSON text frames over WebSocket, one envelope per frame, each with a `type`.
 * Visitors connect to /ws/visitor, agents to /ws/agent. The first frame must be `hello`.
 *
 * Delivery guarantee: `ack` is sent only after the message is committed. Every message has a
 * per-conversation `seq`; a client that reconnects sends the last seq it saw in `hello` and receives
 * everything after it. A `message.send` retried with the same `clientId` is acknowledged again with
 * the original message, never stored twice. Missed messages come in pages: `ready` (and every
 * `history` page) says whether `more` follow, and the client asks for the next page with `history`.
 */
import Type, { type Static } from 'typebox';
import { LIMITS } from './limits.js';
import { MessageView, ConversationView, AgentView, IncidentView } from './records.js';
import { Viewing, type ActivityEvent, type LabelEvent, type MacroEvent, type MentionEvent } from './productivity.js';

/** Agent productivity frames (issue 20), defined in productivity.ts. */
export { Viewing, ActivityEvent, MentionEvent, LabelEvent, MacroEvent } from './productivity.js';
import { ConversationSlaView, SlaBreachView } from './sla.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const ClientId = Type.String({ minLength: 1, maxLength: LIMITS.maxClientIdChars, pattern: '^[A-Za-z0-9_.:-]+$' });
const Body = Type.String({ minLength: 1, maxLength: LIMITS.maxMessageChars });
const Seq = Type.Integer({ minimum: 0 });

// ---------- client → server ----------

export const VisitorHello = Type.Object(
  {
    type: Type.Literal('hello'),
    /** Visitor token from POST /api/widget/session. */
    token: Type.String({ minLength: 1, maxLength: 512 }),
    /** Resume: the last seq this client saw in its open conversation. */
    lastSeq: Type.Optional(Seq),
  },
  { additionalProperties: false },
);

export const AgentHello = Type.Object(
  {
    type: Type.Literal('hello'),
    /** Resume: conversationId → last seq seen, for the conversations the console has open. */
    lastSeqs: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Seq, { maxProperties: 100 })),
  },
  { additionalProperties: false },
);

export const MessageSend = Type.Object(
  {
    type: Type.Literal('message.send'),
    clientId: ClientId,
    /** Agents must give it; a visitor's message goes to their open conversation (created if none). */
    conversationId: Type.Optional(Id),
    body: Body,
    /** Agents only: a private note the visitor never sees. */
    internal: Type.Optional(Type.Boolean()),
    /** Visitors only: start a new conversation with this message (issue 20), whatever is open. */
    newConversation: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const Typing = Type.Object(
  { type: Type.Literal('typing'), conversationId: Type.Optional(Id), on: Type.Boolean() },
  { additionalProperties: false },
);

export const History = Type.Object(
  {
    type: Type.Literal('history'),
    conversationId: Id,
    /** Return messages with seq > afterSeq, oldest first, at most LIMITS.historyPageSize. */
    afterSeq: Seq,
  },
  { additionalProperties: false },
);

/**
 * Visitor: the next page of their conversation (the one of `ready`, or one of their own named by
 * id), after `ready` or a `history` page said `more`. Answered with a `history` page.
 */
export const VisitorHistory = Type.Object(
  {
    type: Type.Literal('history'),
    conversationId: Type.Optional(Id),
    afterSeq: Seq,
  },
  { additionalProperties: false },
);

export const Ping = Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false });

/**
 * Read state: the receiving side says up to which seq it has received messages on its socket
 * (`deliveredSeq`) and seen them on screen (`readSeq`). Agents name the conversation; a visitor's
 * receipt concerns their current conversation. Watermarks only move forward.
 */
export const Receipt = Type.Object(
  { type: Type.Literal('receipt'), conversationId: Type.Optional(Id), deliveredSeq: Type.Optional(Seq), readSeq: Type.Optional(Seq) },
  { additionalProperties: false },
);

/** Visitor: stop talking to the bot and wait for a person. */
export const Handoff = Type.Object({ type: Type.Literal('handoff'), conversationId: Type.Optional(Id) }, { additionalProperties: false });

export const VisitorClientFrame = Type.Union([VisitorHello, MessageSend, Typing, Ping, Receipt, Handoff, VisitorHistory]);
export type VisitorClientFrame = Static<typeof VisitorClientFrame>;
export const AgentClientFrame = Type.Union([AgentHello, MessageSend, Typing, History, Ping, Receipt, Viewing]);
export type AgentClientFrame = Static<typeof AgentClientFrame>;

// ---------- server → client ----------

export const VisitorReady = Type.Object({
  type: Type.Literal('ready'),
  visitorId: Type.String(),
  /** The visitor's open conversation, if any, and its messages after the hello's lastSeq. */
  conversation: Type.Union([ConversationView, Type.Null()]),
  /** At most LIMITS.historyPageSize messages, oldest first. */
  messages: Type.Array(MessageView),
  /** More missed messages follow the last one: fetch them with `history` (afterSeq = its seq) until a page says more: false. */
  more: Type.Boolean(),
  /**
   * The visitor's conversations, open ones first, then most recent (issue 20): a verified shopper's
   * from every device; an anonymous visitor's from this browser. Read one with `history`
   * (conversationId, afterSeq 0); write in one with `message.send` + conversationId.
   */
  conversations: Type.Optional(Type.Array(ConversationView)),
});

export const AgentReady = Type.Object({
  type: Type.Literal('ready'),
  agent: AgentView,
  /** Messages missed in the conversations named in hello.lastSeqs: at most LIMITS.historyPageSize per conversation. */
  messages: Type.Array(MessageView),
  /** Conversations whose missed messages continue after the last one here: fetch them with `history` until a page says more: false. */
  more: Type.Array(Type.String()),
});

export const Ack = Type.Object({
  type: Type.Literal('ack'),
  clientId: Type.String(),
  message: MessageView,
});

export const MessageEvent = Type.Object({ type: Type.Literal('message'), message: MessageView });

export const ConversationEvent = Type.Object({ type: Type.Literal('conversation'), conversation: ConversationView });

export const TypingEvent = Type.Object({
  type: Type.Literal('typing'),
  conversationId: Type.String(),
  from: Type.Union([Type.Literal('visitor'), Type.Literal('agent')]),
  on: Type.Boolean(),
});

export const HistoryPage = Type.Object({
  type: Type.Literal('history'),
  conversationId: Type.String(),
  messages: Type.Array(MessageView),
  /** True when more messages follow the last one returned. */
  more: Type.Boolean(),
});

export const Pong = Type.Object({ type: Type.Literal('pong') });

/** A security incident concerning the agent's tenant (or the whole platform). Agents only. */
export const IncidentEvent = Type.Object({ type: Type.Literal('incident'), incident: IncidentView });

/** Visitor: their place in the queue while no agent is assigned; position null once assigned. */
export const QueueEvent = Type.Object({
  type: Type.Literal('queue'),
  conversationId: Type.String(),
  position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  estimatedWaitSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});

/** A read state moved (see Receipt): the agents' (to the visitor), or the shopper's (to agents, and to the shopper's own sockets on all their devices, issue 20). */
export const ReceiptEvent = Type.Object({
  type: Type.Literal('receipt'),
  conversationId: Type.String(),
  by: Type.Union([Type.Literal('visitor'), Type.Literal('agent')]),
  deliveredSeq: Type.Integer({ minimum: 0 }),
  readSeq: Type.Integer({ minimum: 0 }),
});

/** Agents: a conversation's SLA clocks changed (the list's countdowns). */
export const SlaEvent = Type.Object({ type: Type.Literal('sla'), sla: ConversationSlaView });
/** Agents: an SLA target of a conversation was breached (raised once per breach in the cluster). */
export const SlaBreachEvent = Type.Object({ type: Type.Literal('slaBreach'), breach: SlaBreachView });

/** Agents: a colleague's presence changed. */
export const PresenceEvent = Type.Object({
  type: Type.Literal('presence'),
  agentId: Type.String(),
  status: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]),
});

export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
  /** The clientId of the message.send that failed, when there was one. */
  clientId: Type.Optional(Type.String()),
});

export type VisitorReady = Static<typeof VisitorReady>;
export type AgentReady = Static<typeof AgentReady>;
export type Ack = Static<typeof Ack>;
export type MessageEvent = Static<typeof MessageEvent>;
export type ConversationEvent = Static<typeof ConversationEvent>;
export type TypingEvent = Static<typeof TypingEvent>;
export type HistoryPage = Static<typeof HistoryPage>;
export type ErrorFrame = Static<typeof ErrorFrame>;
export type IncidentEvent = Static<typeof IncidentEvent>;
export type QueueEvent = Static<typeof QueueEvent>;
export type ReceiptEvent = Static<typeof ReceiptEvent>;
export type PresenceEvent = Static<typeof PresenceEvent>;

export type VisitorServerFrame = QueueEvent | ReceiptEvent | VisitorReady | Ack | MessageEvent | ConversationEvent | TypingEvent | HistoryPage | ErrorFrame | Static<typeof Pong>;
export type SlaEvent = Static<typeof SlaEvent>;
export type SlaBreachEvent = Static<typeof SlaBreachEvent>;
export type AgentServerFrame = SlaEvent | SlaBreachEvent | ActivityEvent | MentionEvent | LabelEvent | MacroEvent | ReceiptEvent | PresenceEvent | AgentReady | Ack | MessageEvent | ConversationEvent | TypingEvent | HistoryPage | IncidentEvent | ErrorFrame | Static<typeof Pong>;
