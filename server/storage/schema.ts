/** Row types as Kysely sees them. Times are epoch milliseconds; booleans are 0/1 on both dialects. */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface TenantTable {
  id: string;
  slug: string;
  name: string;
  widget_key: string;
  brand_color: string;
  position: 'right' | 'left';
  greeting: string;
  /** JSON object { en?, fr? }: the greeting in that language, shown instead of `greeting` (migration 0210). */
  greetings: Generated<string>;
  /** JSON array of origins allowed to embed the widget. */
  allowed_origins: string;
  created_at: number;
  /** Days after a conversation's last activity before the retention job deletes it (migration 0004). */
  retention_days: Generated<number>;
  /** JSON array of extra redaction regexes, validated by security/redactionPatterns.ts (migration 0004). */
  redaction_patterns: Generated<string>;
}

export interface AgentTable {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: 'admin' | 'supervisor' | 'agent';
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  /** SHA-256 of the cookie token: a stolen database copy holds no usable session. */
  id: string;
  agent_id: string;
  tenant_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface VisitorTable {
  id: string;
  tenant_id: string;
  name: string | null;
  email: string | null;
  current_page: string | null;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  /** The widget's language ('en' | 'fr') when the frame said it (0180); server-made words follow it. */
  language?: string | null;
  /** name, email, current_page and user_agent are sealed (security/sealedFields.ts) under this DEK version. */
  key_version: Generated<number>;
}

export interface ConversationTable {
  id: string;
  tenant_id: string;
  visitor_id: string;
  status: 'open' | 'resolved';
  assignee_id: string | null;
  last_seq: Generated<number>;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  // --- contact centre (0020) ---
  team_id?: string | null;
  /** When it started waiting for an agent (null: not waiting, e.g. with the bot). */
  queued_at?: number | null;
  assigned_at?: number | null;
  /** 'offline' for "leave a message" conversations; null for live chat. */
  channel?: string | null;
  bot_active: Generated<number>;
  visitor_delivered_seq: Generated<number>;
  visitor_read_seq: Generated<number>;
  agent_delivered_seq: Generated<number>;
  agent_read_seq: Generated<number>;
}

export interface MessageTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  seq: number;
  client_id: string;
  /** `${author_kind}:${author_id}:${client_id}`, unique per conversation: retries by the same sender dedupe. */
  dedupe_key: string;
  author_kind: 'visitor' | 'agent' | 'system';
  author_id: string | null;
  author_name: string;
  body: string;
  internal: number;
  created_at: number;
  /** body and author_name are sealed (security/sealedFields.ts) under this DEK version. */
  key_version: Generated<number>;
  /** Contact centre (0021): JSON AttachmentView of a file sent with this message, or null. */
  attachment?: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: number;
  tenant_id: string | null;
  /** `link`: whoever held an attachment's capability URL (no session of the tenant came with the request). */
  actor_kind: 'agent' | 'api_key' | 'visitor' | 'system' | 'webhook' | 'link';
  actor_id: string | null;
  /** Which credential acted: `session:<first 16 hex of its hash>`, `key:<id>`, `job:<name>`. */
  credential: string | null;
  address: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  conversation_id: string | null;
  visitor_id: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface IncidentTable {
  id: string;
  tenant_id: string | null;
  kind: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  summary: string;
  details: string;
  fingerprint: string;
  created_at: number;
  resolved_at: number | null;
}

export interface WebhookTable {
  id: string;
  tenant_id: string;
  url: string;
  secret: string;
  events: string;
  created_at: number;
  disabled_at: number | null;
}

export interface WebhookDeliveryTable {
  id: string;
  webhook_id: string;
  tenant_id: string;
  event_type: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

// ---------- contact centre (migration 0020) ----------

export interface TeamTable {
  id: string;
  tenant_id: string;
  name: string;
  strategy: 'round_robin' | 'least_busy';
  is_default: number;
  time_zone: string;
  weekly_hours: string | null;
  holidays: string;
  notify_email: string | null;
  created_at: number;
  /** JSON array of routing rules (0180): { page?, attribute?, value?, verifiedOnly }. */
  routing_rules?: string | null;
}

export interface TeamMemberTable {
  team_id: string;
  agent_id: string;
  tenant_id: string;
}

export interface AgentPresenceTable {
  agent_id: string;
  tenant_id: string;
  status: 'online' | 'away';
  max_chats: number;
  last_assigned_at: Generated<number>;
}

export interface AgentSocketTable {
  id: string;
  agent_id: string;
  tenant_id: string;
  node_id: string;
  heartbeat_at: number;
}

export interface RoutingLockTable {
  tenant_id: string;
  at: number;
}

export interface CannedResponseTable {
  id: string;
  tenant_id: string;
  shortcut: string;
  title: string;
  body: string;
  created_by: string | null;
  created_at: number;
}

export interface SatisfactionRatingTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  visitor_id: string;
  agent_id: string | null;
  team_id: string | null;
  rating: number;
  /** Sealed (security/sealedFields.ts), after redaction. */
  comment: string | null;
  created_at: number;
  /** DEK version of the sealed comment (0030). */
  key_version: Generated<number>;
}

export interface KbArticleTable {
  id: string;
  tenant_id: string;
  title: string;
  body: string;
  created_at: number;
  updated_at: number;
}

export interface AttachmentTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  uploader_kind: 'visitor' | 'agent';
  uploader_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  created_at: number;
  /** Random key in the attachment's URL (0021). */
  access_key?: string | null;
  /** DEK version of the sealed filename and of the sealed file on disk (0030). */
  key_version: Generated<number>;
}

export interface TenantContactSettingsTable {
  tenant_id: string;
  identity_secret: string | null;
  bot_enabled: Generated<number>;
  updated_at: number;
}

export interface VisitorContextTable {
  visitor_id: string;
  tenant_id: string;
  /** user_id and pages are sealed (security/sealedFields.ts) under key_version (0030). */
  user_id: string | null;
  verified: Generated<number>;
  pages: string;
  updated_at: number;
  key_version: Generated<number>;
  /** Sealed JSON of the page's own context (0180): { page, pageVerified, attributes, at }. */
  page_context?: string | null;
}

// ---------- encryption at rest and search (migration 0004) ----------

/** A wrapped data key: in the key store (keyStore.ts), not in this database, since migration 0050. */
export interface TenantKeyTable {
  tenant_id: string;
  purpose: 'data' | 'search';
  version: number;
  /** `w1:<master key id>:<base64 iv|ciphertext|tag>`; null once destroyed (crypto-shredding). */
  wrapped_key: string | null;
  master_key_id: string | null;
  created_at: number;
  destroyed_at: number | null;
}

/** One row per (tenant, token, conversation): search answers conversations (migration 0040). */
export interface MessageSearchTable {
  tenant_id: string;
  conversation_id: string;
  /** The first message of the conversation that contained the word. */
  message_id: string;
  /** Blind-index token: HMAC of one normalised word under the tenant's search key. */
  token: string;
}

// ---------- administration and developer API (migration 0010) ----------

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  /** SHA-256 of the whole key. */
  key_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  /** The agent the key acts as (its creator). */
  agent_id: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface InvitationTable {
  id: string;
  tenant_id: string;
  email: string;
  role: 'admin' | 'supervisor' | 'agent';
  token_hash: string;
  invited_by: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

export interface AgentTotpTable {
  agent_id: string;
  tenant_id: string;
  /** Sealed base32 secret (security/totp.ts). */
  secret: string;
  enabled_at: number | null;
  last_step: number;
  created_at: number;
}

export interface TenantSettingsTable {
  tenant_id: string;
  language: string;
  /** JSON array of { field, required }. */
  prechat_fields: string;
  require_totp: number;
  updated_at: number;
}

export interface PlatformOperatorTable {
  agent_id: string;
  created_at: number;
}

export interface CspEndpointTable {
  tenant_id: string;
  report_key: string;
  created_at: number;
}

export interface CspReportTable {
  id: string;
  tenant_id: string;
  received_at: number;
  format: 'report-uri' | 'reporting-api';
  destination: string;
  blocked_url: string | null;
  directive: string;
  document_url: string;
  source_file: string | null;
  line: number | null;
  disposition: string;
}

export interface CspDestinationTable {
  tenant_id: string;
  destination: string;
  directives: string;
  reports: number;
  first_seen_at: number;
  last_seen_at: number;
  last_document_url: string | null;
}

export interface Database {
  csp_endpoints: CspEndpointTable;
  csp_reports: CspReportTable;
  csp_destinations: CspDestinationTable;
  message_search: MessageSearchTable;
  tenants: TenantTable;
  agents: AgentTable;
  sessions: SessionTable;
  visitors: VisitorTable;
  conversations: ConversationTable;
  messages: MessageTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  incidents: IncidentTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  api_keys: ApiKeyTable;
  invitations: InvitationTable;
  agent_totp: AgentTotpTable;
  tenant_settings: TenantSettingsTable;
  platform_operators: PlatformOperatorTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  agent_presence: AgentPresenceTable;
  agent_sockets: AgentSocketTable;
  routing_locks: RoutingLockTable;
  canned_responses: CannedResponseTable;
  satisfaction_ratings: SatisfactionRatingTable;
  kb_articles: KbArticleTable;
  attachments: AttachmentTable;
  tenant_contact_settings: TenantContactSettingsTable;
  visitor_context: VisitorContextTable;
}

export type Tenant = Selectable<TenantTable>;
export type Agent = Selectable<AgentTable>;
export type Session = Selectable<SessionTable>;
export type Visitor = Selectable<VisitorTable>;
export type Conversation = Selectable<ConversationTable>;
export type Message = Selectable<MessageTable>;
export type NewMessage = Insertable<MessageTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Incident = Selectable<IncidentTable>;
export type CspReport = Selectable<CspReportTable>;
export type CspDestination = Selectable<CspDestinationTable>;
export type Webhook = Selectable<WebhookTable>;
export type WebhookDelivery = Selectable<WebhookDeliveryTable>;
export type Team = Selectable<TeamTable>;
export type CannedResponse = Selectable<CannedResponseTable>;
export type KbArticle = Selectable<KbArticleTable>;
export type SatisfactionRating = Selectable<SatisfactionRatingTable>;
export type ApiKey = Selectable<ApiKeyTable>;
export type Invitation = Selectable<InvitationTable>;
