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

export interface Database {
  tenants: TenantTable;
  agents: AgentTable;
  sessions: SessionTable;
  visitors: VisitorTable;
  conversations: ConversationTable;
  messages: MessageTable;
}

export type Tenant = Selectable<TenantTable>;
export type Agent = Selectable<AgentTable>;
export type Session = Selectable<SessionTable>;
export type Visitor = Selectable<VisitorTable>;
export type Conversation = Selectable<ConversationTable>;
export type Message = Selectable<MessageTable>;
export type NewMessage = Insertable<MessageTable>;
