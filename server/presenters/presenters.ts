/** The only way a record becomes JSON, for HTTP and WebSocket alike. */
import { priorityOf } from '../../protocol/productivity.js';
import { storedRules } from '../policies/routingRules.js';
import type { ArticleView, CannedResponseView, TeamView, WeeklyHours } from '../../protocol/contactCentre.js';
import type { CannedResponse, KbArticle, Team } from '../storage/schema.js';
import type { AgentView, ConversationView, IncidentView, MessageView, TenantView, VisitorView } from '../../protocol/records.js';
import type { Agent, Conversation, Incident, Message, Tenant, Visitor } from '../storage/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function presentMessage(m: Message): MessageView {
  return messageView(m, m.conversation_id, m.seq);
}

/**
 * A message just stored, from what it was stored from and the place it got. Not
 * presentMessage({ ...draft, conversation_id, seq }): properties added to a spread copy take V8's
 * slow path (~1.7 µs per message here, against ~0.03 µs for the copy itself).
 */
export function presentStoredMessage(m: Omit<Message, 'conversation_id' | 'seq'>, conversationId: string, seq: number): MessageView {
  return messageView(m, conversationId, seq);
}

function messageView(m: Omit<Message, 'conversation_id' | 'seq'>, conversationId: string, seq: number): MessageView {
  return {
    id: m.id,
    conversationId,
    seq,
    clientId: m.client_id,
    author: { kind: m.author_kind, id: m.author_id, name: m.author_name },
    body: m.body,
    internal: m.internal === 1,
    createdAt: iso(m.created_at),
    ...(m.attachment ? { attachment: JSON.parse(m.attachment) as NonNullable<MessageView['attachment']> } : {}),
  };
}

export function presentVisitor(v: Visitor): VisitorView {
  return {
    id: v.id,
    name: v.name,
    email: v.email,
    currentPage: v.current_page,
    userAgent: v.user_agent,
    createdAt: iso(v.created_at),
    ...(v.contact_id ? { contactId: v.contact_id } : {}),
  };
}

export function presentConversation(
  c: Conversation,
  visitor: Visitor,
  assignee: Pick<Agent, 'id' | 'name'> | null,
  lastMessage: Message | null,
  team: { id: string; name: string } | null = null,
): ConversationView {
  return {
    id: c.id,
    status: c.status,
    visitor: presentVisitor(visitor),
    assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
    lastSeq: c.last_seq,
    lastMessage: lastMessage ? presentMessage(lastMessage) : null,
    createdAt: iso(c.created_at),
    updatedAt: iso(c.updated_at),
    team: team ? { id: team.id, name: team.name } : null,
    channel: c.channel === 'offline' ? 'offline' : 'chat',
    botActive: c.bot_active === 1,
    receipts: { visitorDelivered: c.visitor_delivered_seq, visitorRead: c.visitor_read_seq, agentDelivered: c.agent_delivered_seq, agentRead: c.agent_read_seq },
    priority: priorityOf(c.priority),
    labels: [],
    snoozed: c.snoozed === 1,
    snoozedUntil: c.snoozed === 1 && c.snoozed_until ? iso(c.snoozed_until) : null,
  };
}

/** What a visitor is sent of their conversation: without the agents' own bookkeeping (labels, priority, snooze). */
export function forVisitor(view: ConversationView): ConversationView {
  const { labels: _l, priority: _p, snoozed: _s, snoozedUntil: _u, ...rest } = view;
  return rest;
}

export function presentAgent(a: Agent): AgentView {
  return { id: a.id, tenantId: a.tenant_id, email: a.email, name: a.name, role: a.role };
}

export function presentTenant(t: Tenant): TenantView {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    widgetKey: t.widget_key,
    brandColor: t.brand_color,
    position: t.position,
    greeting: t.greeting,
    allowedOrigins: JSON.parse(t.allowed_origins) as string[],
  };
}

export function presentIncident(i: Incident): IncidentView {
  return {
    id: i.id,
    tenantId: i.tenant_id,
    kind: i.kind,
    severity: i.severity,
    summary: i.summary,
    details: JSON.parse(i.details) as unknown,
    createdAt: iso(i.created_at),
    resolvedAt: i.resolved_at === null ? null : iso(i.resolved_at),
  };
}

// ---------- contact centre (issue 5) ----------

export function presentTeam(t: Team, memberIds: string[], openNow: boolean): TeamView {
  return {
    id: t.id,
    name: t.name,
    strategy: t.strategy,
    isDefault: t.is_default === 1,
    timeZone: t.time_zone,
    weeklyHours: t.weekly_hours === null ? null : (JSON.parse(t.weekly_hours) as WeeklyHours),
    holidays: JSON.parse(t.holidays) as string[],
    notifyEmail: t.notify_email,
    memberIds,
    routingRules: storedRules(t.routing_rules),
    openNow,
  };
}

export function presentCannedResponse(c: CannedResponse): CannedResponseView {
  return { id: c.id, shortcut: c.shortcut, title: c.title, body: c.body };
}

export function presentArticle(a: KbArticle): ArticleView {
  return { id: a.id, title: a.title, body: a.body, updatedAt: iso(a.updated_at) };
}
