/** Row → JSON for administration records (the same rule as presenters.ts: nothing else maps rows). */
import type {
  AgentAdminView,
  ApiKeyView,
  ApiScope,
  InvitationView,
  PrechatField,
  SessionAdminView,
  TenantAdminView,
  TenantSettings,
  WebhookDeliveryView,
  WebhookView,
} from '../../protocol/admin.js';
import type { Greetings } from '../../protocol/http.js';
import { UNREACHABLE } from '../webhooks/receiverRequest.js';
import type { Agent, ApiKey, Invitation, Session, Tenant, Webhook, WebhookDelivery } from '../storage/schema.js';
import type { TenantSettingsTable } from '../storage/schema.js';
import { presentAgent, presentTenant } from './presenters.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
type Named = Pick<Agent, 'id' | 'name'>;

export function presentApiKey(k: ApiKey, creator: Named | null): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: JSON.parse(k.scopes) as ApiScope[],
    createdBy: creator ? { id: creator.id, name: creator.name } : null,
    createdAt: iso(k.created_at),
    lastUsedAt: isoOrNull(k.last_used_at),
    revokedAt: isoOrNull(k.revoked_at),
  };
}

export function presentAgentAdmin(a: Agent, totpEnabled: boolean): AgentAdminView {
  return { ...presentAgent(a), disabled: a.disabled_at !== null, totpEnabled, createdAt: iso(a.created_at) };
}

export function presentInvitation(i: Invitation, inviter: Named | null): InvitationView {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    invitedBy: inviter ? { id: inviter.id, name: inviter.name } : null,
    createdAt: iso(i.created_at),
    expiresAt: iso(i.expires_at),
    acceptedAt: isoOrNull(i.accepted_at),
    revokedAt: isoOrNull(i.revoked_at),
  };
}

/** Sessions are named by the first 16 hex characters of their hash, as in the audit log. */
export const sessionRef = (s: Pick<Session, 'id'>) => s.id.slice(0, 16);

export function presentSession(s: Session, agent: Pick<Agent, 'id' | 'name' | 'email'>, currentSessionId: string | null): SessionAdminView {
  return {
    id: sessionRef(s),
    agent: { id: agent.id, name: agent.name, email: agent.email },
    createdAt: iso(s.created_at),
    expiresAt: iso(s.expires_at),
    ip: s.ip,
    userAgent: s.user_agent,
    current: s.id === currentSessionId,
  };
}

export const DEFAULT_PRECHAT: PrechatField[] = [
  { field: 'name', required: false },
  { field: 'email', required: false },
];

export function presentTenantSettings(t: Tenant, s: Pick<TenantSettingsTable, 'language' | 'prechat_fields' | 'require_totp'> | undefined): TenantSettings {
  return {
    name: t.name,
    brandColor: t.brand_color,
    position: t.position,
    greeting: t.greeting,
    greetings: parseGreetings(t.greetings),
    language: (s?.language ?? 'auto') as TenantSettings['language'],
    prechatFields: s ? (JSON.parse(s.prechat_fields) as PrechatField[]) : DEFAULT_PRECHAT,
    allowedOrigins: JSON.parse(t.allowed_origins) as string[],
    requireTotp: Number(s?.require_totp ?? 0) === 1,
  };
}

/** The stored greetings, each language's text only if it is one (a hand-edited row cannot break the widget). */
export function parseGreetings(json: string): Greetings {
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    return {};
  }
  const out: Greetings = {};
  for (const l of ['en', 'fr'] as const) {
    const text = (stored as Record<string, unknown> | null)?.[l];
    if (typeof text === 'string' && text) out[l] = text;
  }
  return out;
}

export function presentWebhook(w: Webhook): WebhookView {
  return { id: w.id, url: w.url, events: JSON.parse(w.events) as string[], createdAt: iso(w.created_at), disabledAt: isoOrNull(w.disabled_at) };
}

export function presentDelivery(d: WebhookDelivery): WebhookDeliveryView {
  return {
    id: d.id,
    webhookId: d.webhook_id,
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.last_status,
    // Rows written before webhooks hid why a receiver was unreachable ("fetch failed", ECONNREFUSED…)
    // say the one outcome too: the log must not map the network behind Parley.
    lastError: d.last_status === null && d.last_error !== null && d.last_error !== 'webhook removed or disabled' ? UNREACHABLE : d.last_error,
    createdAt: iso(d.created_at),
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    deliveredAt: isoOrNull(d.delivered_at),
  };
}

export function presentTenantAdmin(t: Tenant, agents: number): TenantAdminView {
  return { ...presentTenant(t), createdAt: iso(t.created_at), agents };
}
