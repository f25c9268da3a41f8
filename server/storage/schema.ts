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
  /** JSON array of origins allowed to embed the widget. */
  allowed_origins: string;
  created_at: number;
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
}

export interface AuditLogTable {
  seq: number;
  at: number;
  tenant_id: string | null;
  actor_kind: 'agent' | 'api_key' | 'visitor' | 'system' | 'webhook';
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

export interface Database {
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
export type Webhook = Selectable<WebhookTable>;
export type WebhookDelivery = Selectable<WebhookDeliveryTable>;
