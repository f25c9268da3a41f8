/**
 * Service levels (issue 20 item 3): SLA policies per team, each conversation's deadlines, breaches
 * and the met/breached report. Targets are minutes, counted in the team's business hours when the
 * policy says so (server/policies/slaClock.ts). Routes validate with these schemas; browser apps
 * import only the types.
 */
import Type, { type Static } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 64 });
/** A target in minutes (up to 365 days); null: this target is not measured. */
const Target = Type.Union([Type.Integer({ minimum: 1, maximum: 525_600 }), Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const SLA_TARGETS = ['first_response', 'next_response', 'resolution'] as const;
export const SlaTarget = Type.Union([Type.Literal('first_response'), Type.Literal('next_response'), Type.Literal('resolution')]);
export type SlaTarget = Static<typeof SlaTarget>;

export const SlaPolicyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    /** The team whose conversations it measures; one policy per team. */
    teamId: Id,
    /** Minutes from the moment the conversation waits for an agent to the first public agent reply. */
    firstResponseMinutes: Target,
    /** Minutes from a visitor message that follows an agent reply to the next agent reply. */
    nextResponseMinutes: Target,
    /** Minutes from the moment it waits for an agent to its (first) resolution. */
    resolutionMinutes: Target,
    /** true: only the team's business hours count (its time zone, weekly hours and holidays). */
    businessHours: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SlaPolicyBody = Static<typeof SlaPolicyBody>;

export const SlaPolicyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  team: Type.Object({ id: Type.String(), name: Type.String() }),
  firstResponseMinutes: Target,
  nextResponseMinutes: Target,
  resolutionMinutes: Target,
  businessHours: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type SlaPolicyView = Static<typeof SlaPolicyView>;

/** One target's clock on one conversation. */
export const SlaClockView = Type.Object({
  target: SlaTarget,
  dueAt: DateTime,
  /** When it was met (null: still running, or breached). */
  metAt: Type.Union([DateTime, Type.Null()]),
  /** When the deadline passed without the target being met (null: not breached). */
  breachedAt: Type.Union([DateTime, Type.Null()]),
});
export type SlaClockView = Static<typeof SlaClockView>;

/** A conversation's service level: its policy and the clocks running now (met ones omitted). */
export const ConversationSlaView = Type.Object({
  conversationId: Type.String(),
  policy: Type.Object({ id: Type.String(), name: Type.String() }),
  /** Running or breached clocks, earliest deadline first; empty once every target is met or the conversation is resolved. */
  clocks: Type.Array(SlaClockView),
});
export type ConversationSlaView = Static<typeof ConversationSlaView>;

/** What the sla.breached webhook and the agents' `slaBreach` frame carry. */
export const SlaBreachView = Type.Object({
  conversationId: Type.String(),
  policy: Type.Object({ id: Type.String(), name: Type.String() }),
  team: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  target: SlaTarget,
  dueAt: DateTime,
  breachedAt: DateTime,
});
export type SlaBreachView = Static<typeof SlaBreachView>;

const Outcome = Type.Object({ met: Type.Integer({ minimum: 0 }), breached: Type.Integer({ minimum: 0 }), pending: Type.Integer({ minimum: 0 }) });
export const SlaReportRow = Type.Object({
  policy: Type.Object({ id: Type.String(), name: Type.String() }),
  team: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  /** Conversations of the period measured by this policy. */
  conversations: Type.Integer({ minimum: 0 }),
  firstResponse: Outcome,
  /** Counted per reply cycle: a conversation may have several. */
  nextResponse: Outcome,
  resolution: Outcome,
});
export type SlaReportRow = Static<typeof SlaReportRow>;
export const SlaReport = Type.Object({ from: DateTime, to: DateTime, rows: Type.Array(SlaReportRow) });
export type SlaReport = Static<typeof SlaReport>;
