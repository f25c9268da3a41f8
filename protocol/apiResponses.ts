/**
 * Schemas of answers that existed only as TypeScript interfaces (issue 18), so the OpenAPI document
 * can state them and the contract test can check live answers against them. Each mirrors an
 * interface exactly: server/routes/docs/schemaTypeChecks.ts fails to compile if either side drifts.
 */
import Type, { type TSchema } from 'typebox';
import { MessageView, VisitorView } from './records.js';
import { RoutingRule, RoutingStrategy, WeeklyHours } from './contactCentre.js';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
/** `{ items: [...] }` lists that are not paged. */
export const ItemList = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

export const TeamView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  strategy: RoutingStrategy,
  isDefault: Type.Boolean(),
  timeZone: Type.String(),
  weeklyHours: Nullable(WeeklyHours),
  holidays: Type.Array(Type.String()),
  notifyEmail: Nullable(Type.String()),
  memberIds: Type.Array(Type.String()),
  routingRules: Type.Array(RoutingRule),
  openNow: Type.Boolean(),
});

export const AgentPresenceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('agent')]),
  status: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]),
  chosen: Type.Union([Type.Literal('online'), Type.Literal('away')]),
  activeChats: Type.Integer(),
  maxChats: Type.Integer(),
  teamIds: Type.Array(Type.String()),
});

export const CannedResponseView = Type.Object({ id: Type.String(), shortcut: Type.String(), title: Type.String(), body: Type.String() });
export const ArticleView = Type.Object({ id: Type.String(), title: Type.String(), body: Type.String(), updatedAt: DateTime });
export const ContactSettingsView = Type.Object({ botEnabled: Type.Boolean(), hasIdentitySecret: Type.Boolean(), identitySecret: Type.Optional(Type.String()) });

/** What the tenant's page said about itself; verified = signed by the tenant's backend (issue 19). */
export const PageContextView = Type.Object({
  page: Nullable(Type.String()),
  pageVerified: Type.Boolean(),
  attributes: Type.Array(Type.Object({ key: Type.String(), value: Type.String(), verified: Type.Boolean() })),
  at: DateTime,
});
const PageSeen = Type.Object({ url: Type.String(), at: DateTime });
const Rating = Type.Object({ rating: Type.Integer(), comment: Nullable(Type.String()) });
export const VisitorContextView = Type.Object({
  visitorId: Type.String(),
  identity: Nullable(Type.Object({ userId: Type.String(), verified: Type.Boolean() })),
  pagesSeen: Type.Array(PageSeen),
  pageContext: Nullable(PageContextView),
  history: Type.Array(Type.Object({ id: Type.String(), status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]), createdAt: DateTime, lastMessage: Nullable(Type.String()) })),
  rating: Nullable(Rating),
});

export const WidgetAvailability = Type.Object({ live: Type.Boolean(), withinHours: Type.Boolean(), agentsOnline: Type.Integer(), bot: Type.Boolean() });
export const OfflineMessageTaken = Type.Object({ token: Type.String(), conversationId: Type.String(), emailed: Type.Boolean() });
export const RatingSaved = Rating;
export const TranscriptSent = Type.Object({ to: Type.String() });

export const PrivacySettingsView = Type.Object({ retentionDays: Type.Integer(), redactionPatterns: Type.Array(Type.String()) });

// ---------- GDPR export and exposure report (server/security) ----------

export const StoredRating = Type.Object({ rating: Type.Integer(), comment: Nullable(Type.String()), createdAt: DateTime });
export const StoredAttachment = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  type: Type.String(),
  size: Type.Integer(),
  uploaderKind: Type.Union([Type.Literal('visitor'), Type.Literal('agent')]),
  createdAt: DateTime,
});
export const StoredVisitorContext = Type.Object({ userId: Nullable(Type.String()), identityVerified: Type.Boolean(), pagesSeen: Type.Array(PageSeen), pageContext: Nullable(PageContextView) });

/** A proactive message shown to the visitor (issue 20 item 4): its rule, the page name the rule shows on (null: any page), and when it was shown, opened and replied to. */
export const StoredProactiveMessage = Type.Object({
  id: Type.String(),
  rule: Type.Object({ id: Type.String(), name: Type.String(), page: Nullable(Type.String()) }),
  shownAt: DateTime,
  openedAt: Nullable(DateTime),
  repliedAt: Nullable(DateTime),
});

export const VisitorExport = Type.Object({
  exportedAt: DateTime,
  visitor: Type.Object({ ...VisitorView.properties, lastSeenAt: DateTime }),
  context: Nullable(StoredVisitorContext),
  conversations: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
      createdAt: DateTime,
      updatedAt: DateTime,
      messages: Type.Array(MessageView),
      rating: Nullable(StoredRating),
      attachments: Type.Array(StoredAttachment),
    }),
  ),
  proactiveMessages: Type.Array(StoredProactiveMessage),
});

export const ExposedConversation = Type.Object({
  conversationId: Nullable(Type.String()),
  firstAccess: DateTime,
  lastAccess: DateTime,
  accesses: Type.Integer(),
  actions: Type.Array(Type.String()),
  actors: Type.Array(Type.String()),
  credentials: Type.Array(Type.String()),
  addresses: Type.Array(Type.String()),
  rating: Nullable(StoredRating),
  attachments: Type.Array(StoredAttachment),
});
export const ExposedVisitor = Type.Object({
  visitorId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  userId: Nullable(Type.String()),
  identityVerified: Type.Boolean(),
  pagesSeen: Type.Array(PageSeen),
  pageContext: Nullable(PageContextView),
  erased: Type.Boolean(),
  conversations: Type.Array(ExposedConversation),
});
export const ExposureReport = Type.Object({
  generatedAt: DateTime,
  criteria: Type.Record(Type.String(), Type.String()),
  totals: Type.Object({ tenants: Type.Integer(), visitors: Type.Integer(), conversations: Type.Integer(), accesses: Type.Integer() }),
  tenants: Type.Array(Type.Object({ tenantId: Type.String(), slug: Nullable(Type.String()), name: Nullable(Type.String()), visitors: Type.Array(ExposedVisitor) })),
  /** The access audit log's signed checkpoint when the report was made (verify later with `parley audit:verify --checkpoint`). */
  auditCheckpoint: Type.Object({ origin: Type.String(), verifierKey: Type.String(), checkpoint: Nullable(Type.String()) }),
});

// ---------- operations ----------

/** GET /healthz: `status` is `ok` when the node is ready; other fields describe why it is not. */
export const HealthStatus = Type.Object({ status: Type.String(), node: Type.String(), storage: Type.String() }, { additionalProperties: true });
