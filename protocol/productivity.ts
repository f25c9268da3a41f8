/**
 * Agent productivity (issue 20 item 2): labels, priority, snooze, macros, @mentions, collision
 * detection and bulk actions. Wire shapes for HTTP and WebSocket alike.
 */
import Type, { type Static } from 'typebox';
import { LIMITS } from './limits.js';
import { ConversationView } from './records.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const DateTime = Type.String({ format: 'date-time' });

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const Priority = Type.Union([Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('urgent')]);
export type Priority = Static<typeof Priority>;

// ---------- labels ----------
export const LabelBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' }),
    /** A CSS hex colour, #rrggbb. */
    color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
  },
  { additionalProperties: false },
);
export type LabelBody = Static<typeof LabelBody>;
export const LabelView = Type.Object({ id: Type.String(), name: Type.String(), color: Type.String() });
export type LabelView = Static<typeof LabelView>;

export const LabelParams = Type.Object({ id: Id, labelId: Id });

// ---------- priority and snooze ----------
export const PriorityBody = Type.Object({ priority: Priority }, { additionalProperties: false });
export const SnoozeBody = Type.Object(
  {
    /** When it comes back by itself; absent or null: only when the visitor writes again. The visitor's next message always wakes it. */
    until: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type SnoozeBody = Static<typeof SnoozeBody>;

// ---------- macros ----------
export const MacroAction = Type.Union([
  /** A reply to the visitor. May use {{visitor.name}}, {{agent.name}}. */
  Type.Object({ type: Type.Literal('reply'), body: Type.String({ minLength: 1, maxLength: LIMITS.maxMessageChars }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('label'), labelId: Id }, { additionalProperties: false }),
  /** agentId null: unassign; "me": the agent who applies the macro. */
  Type.Object({ type: Type.Literal('assign'), agentId: Type.Union([Id, Type.Null()]) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('status'), status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('priority'), priority: Priority }, { additionalProperties: false }),
]);
export type MacroAction = Static<typeof MacroAction>;
export const MacroBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }), actions: Type.Array(MacroAction, { minItems: 1, maxItems: 10 }) },
  { additionalProperties: false },
);
export type MacroBody = Static<typeof MacroBody>;
export const MacroView = Type.Object({ id: Type.String(), name: Type.String(), actions: Type.Array(MacroAction) });
export type MacroView = Static<typeof MacroView>;
export const MacroApplyParams = Type.Object({ id: Id, macroId: Id });
export const MacroApplyBody = Type.Object(
  /** Chosen by the client: a retried apply with the same clientId changes nothing twice. */
  { clientId: Type.String({ minLength: 1, maxLength: LIMITS.maxClientIdChars, pattern: '^[A-Za-z0-9_.:-]+$' }) },
  { additionalProperties: false },
);
export const MacroApplyResult = Type.Object({
  conversation: ConversationView,
  /** The reply the macro sent, if it has one. */
  messageId: Type.Union([Type.String(), Type.Null()]),
  /** True when this clientId had been applied already: nothing was changed again. */
  duplicate: Type.Boolean(),
});

// ---------- mentions ----------
export const MentionView = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  messageId: Type.String(),
  by: Type.Object({ id: Type.String(), name: Type.String() }),
  createdAt: DateTime,
  read: Type.Boolean(),
});
export type MentionView = Static<typeof MentionView>;
export const MentionList = Type.Object({ items: Type.Array(MentionView), unread: Type.Integer({ minimum: 0 }) });
export const MentionListQuery = Type.Object({ unread: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false });

/**
 * A mention in a note is `@handle`: the handle is the part of a colleague's email before the @, or
 * their name without spaces (case ignored), in this alphabet. The server reads mentions with
 * mentionHandles; the console's autocomplete offers only handles it reads back.
 */
export const MENTION_HANDLE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
const MENTION_IN_TEXT = /(?:^|[^\w@.])@([A-Za-z0-9][A-Za-z0-9._+-]{0,63})/g;

/** The handles written in a note, lowercased, without a trailing dot (end of sentence). */
export function mentionHandles(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(MENTION_IN_TEXT)) out.add(m[1]!.replace(/[.]+$/, '').toLowerCase());
  return [...out];
}

// ---------- bulk ----------
export const BulkAction = Type.Union([
  Type.Object({ type: Type.Literal('assign'), agentId: Type.Union([Id, Type.Null()]) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('label'), labelId: Id }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('unlabel'), labelId: Id }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('resolve') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('priority'), priority: Priority }, { additionalProperties: false }),
]);
export type BulkAction = Static<typeof BulkAction>;
export const BulkBody = Type.Object(
  { ids: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }), action: BulkAction },
  { additionalProperties: false },
);
export type BulkBody = Static<typeof BulkBody>;
export const BulkResult = Type.Object({ items: Type.Array(ConversationView) });

// ---------- reports ----------
export const LabelReportRow = Type.Object({
  labelId: Type.String(),
  name: Type.String(),
  /** Conversations carrying the label that started in the period. */
  conversations: Type.Integer(),
  resolved: Type.Integer(),
  open: Type.Integer(),
});
export const LabelReport = Type.Object({ from: DateTime, to: DateTime, labels: Type.Array(LabelReportRow) });
export type LabelReport = Static<typeof LabelReport>;

// ---------- realtime (agents) ----------
/** Client → server: the conversation this console shows now (null: none). Sent again every ~15 s while it stays. */
export const Viewing = Type.Object({ type: Type.Literal('viewing'), conversationId: Type.Union([Id, Type.Null()]) }, { additionalProperties: false });
export const ACTIVITY_TTL_MS = 45_000;
/** Server → agents: a colleague views, types in, or left a conversation. Entries not refreshed within ACTIVITY_TTL_MS are gone. */
export const ActivityEvent = Type.Object({
  type: Type.Literal('activity'),
  conversationId: Type.String(),
  agent: Type.Object({ id: Type.String(), name: Type.String() }),
  state: Type.Union([Type.Literal('viewing'), Type.Literal('typing'), Type.Literal('left')]),
});
export type ActivityEvent = Static<typeof ActivityEvent>;
/** Server → the mentioned agent only. */
export const MentionEvent = Type.Object({ type: Type.Literal('mention'), mention: MentionView });
export type MentionEvent = Static<typeof MentionEvent>;
/**
 * Server → every agent socket of the tenant: a label (or macro) was created or changed — its view —
 * or deleted (null), by whichever console or API key. Consoles keep their pickers, filters and macro
 * menu up to date from these without a reload (and reload the lists after a reconnect, as events in
 * between may be lost).
 */
export const LabelEvent = Type.Object({ type: Type.Literal('label'), id: Type.String(), label: Type.Union([LabelView, Type.Null()]) });
export type LabelEvent = Static<typeof LabelEvent>;
export const MacroEvent = Type.Object({ type: Type.Literal('macro'), id: Type.String(), macro: Type.Union([MacroView, Type.Null()]) });
export type MacroEvent = Static<typeof MacroEvent>;

export const priorityRank = (p: Priority): number => PRIORITIES.indexOf(p);
export const priorityOf = (rank: number | null | undefined): Priority => PRIORITIES[rank ?? 1] ?? 'normal';
