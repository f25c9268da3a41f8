/** Admin-area calls, on top of the console's one HTTP client (cookies, CSRF, ApiError). */
import type {
  AgentAdminView,
  AgentUpdateBody,
  ApiKeyCreateBody,
  ApiKeyCreated,
  ApiKeyView,
  InvitationCreateBody,
  InvitationCreated,
  InvitationInfo,
  InvitationView,
  Page,
  Report,
  SessionAdminView,
  TenantAdminView,
  TenantCreateBody,
  TenantCreated,
  TenantSettings,
  TenantSettingsPatch,
  TotpSetup,
  TotpStatus,
  WebhookCreateBody,
  WebhookCreated,
  WebhookDeliveryView,
  WebhookView,
} from '../../../protocol/admin.js';
import type { AgentView } from '../../../protocol/records.js';
import type { ScimTokenCreated, SsoSettingsBody, SsoSettingsView } from '../../../protocol/sso.js';
import type { AgentPresenceView, ContactSettingsBody, ContactSettingsView, TeamBody, TeamView } from '../../../protocol/contactCentre.js';

/** GET|PUT /api/admin/privacy. */
export interface PrivacySettings {
  retentionDays: number;
  redactionPatterns: string[];
}
/** GET /api/admin/exposure (server/security/exposureReport.ts). */
export interface ExposureReport {
  generatedAt: string;
  criteria: Record<string, string>;
  totals: { tenants: number; visitors: number; conversations: number; accesses: number };
  tenants: Array<{
    tenantId: string;
    visitors: Array<{
      visitorId: string | null;
      name: string | null;
      email: string | null;
      erased: boolean;
      conversations: Array<{ conversationId: string | null; firstAccess: string; lastAccess: string; accesses: number; actions: string[]; actors: string[]; credentials: string[]; addresses: string[] }>;
    }>;
  }>;
}
export interface ExposureQuery {
  actor?: string;
  credential?: string;
  address?: string;
  from?: string;
  to?: string;
}

/** The exposure report's query string (empty filters left out). */
export function exposureQuery(q: ExposureQuery, format?: 'csv'): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' && v.trim()) p.set(k, v.trim());
  if (format) p.set('format', format);
  return `/api/admin/exposure?${p.toString()}`;
}
import type { ApiClient } from '../api.js';

const enc = encodeURIComponent;

export class AdminApi {
  constructor(private readonly api: ApiClient) {}

  agents = (): Promise<Page<AgentAdminView>> => this.api.request('GET', '/api/admin/agents?limit=100');
  updateAgent = (id: string, body: AgentUpdateBody): Promise<AgentAdminView> => this.api.request('PATCH', `/api/admin/agents/${enc(id)}`, body);
  resetTotp = (id: string): Promise<void> => this.api.request('POST', `/api/admin/agents/${enc(id)}/totp/reset`);
  invitations = (): Promise<Page<InvitationView>> => this.api.request('GET', '/api/admin/invitations?limit=100');
  invite = (body: InvitationCreateBody): Promise<InvitationCreated> => this.api.request('POST', '/api/admin/invitations', body);
  revokeInvitation = (id: string): Promise<InvitationView> => this.api.request('POST', `/api/admin/invitations/${enc(id)}/revoke`);
  sessions = (): Promise<Page<SessionAdminView>> => this.api.request('GET', '/api/admin/sessions?limit=100');
  revokeSession = (id: string): Promise<void> => this.api.request('POST', `/api/admin/sessions/${enc(id)}/revoke`);
  sso = (): Promise<SsoSettingsView> => this.api.request('GET', '/api/admin/sso');
  updateSso = (body: SsoSettingsBody): Promise<SsoSettingsView> => this.call('PUT', '/api/admin/sso', body);
  createScimToken = (): Promise<ScimTokenCreated> => this.api.request('POST', '/api/admin/sso/scim-token');
  revokeScimToken = (): Promise<void> => this.call('DELETE', '/api/admin/sso/scim-token');
  settings = (): Promise<TenantSettings> => this.api.request('GET', '/api/admin/settings');
  updateSettings = (body: TenantSettingsPatch): Promise<TenantSettings> => this.api.request('PATCH', '/api/admin/settings', body);
  apiKeys = (): Promise<Page<ApiKeyView>> => this.api.request('GET', '/api/admin/api-keys?limit=100');
  createApiKey = (body: ApiKeyCreateBody): Promise<ApiKeyCreated> => this.api.request('POST', '/api/admin/api-keys', body);
  revokeApiKey = (id: string): Promise<ApiKeyView> => this.api.request('POST', `/api/admin/api-keys/${enc(id)}/revoke`);
  webhooks = (): Promise<Page<WebhookView>> => this.api.request('GET', '/api/admin/webhooks?limit=100');
  createWebhook = (body: WebhookCreateBody): Promise<WebhookCreated> => this.api.request('POST', '/api/admin/webhooks', body);
  disableWebhook = (id: string): Promise<WebhookView> => this.api.request('POST', `/api/admin/webhooks/${enc(id)}/disable`);
  deliveries = (id: string): Promise<Page<WebhookDeliveryView>> => this.api.request('GET', `/api/admin/webhooks/${enc(id)}/deliveries?limit=50`);
  replay = (id: string): Promise<WebhookDeliveryView> => this.api.request('POST', `/api/admin/webhook-deliveries/${enc(id)}/replay`);
  report = (q: { from: string; to: string; bucket: 'hour' | 'day'; timeZone?: string }): Promise<Report> =>
    this.api.request('GET', `/api/reports?from=${enc(q.from)}&to=${enc(q.to)}&bucket=${q.bucket}${q.timeZone ? `&timeZone=${enc(q.timeZone)}` : ''}`);
  tenants = (): Promise<Page<TenantAdminView>> => this.api.request('GET', '/api/operator/tenants?limit=100');
  createTenant = (body: TenantCreateBody): Promise<TenantCreated> => this.api.request('POST', '/api/operator/tenants', body);
  totp = (): Promise<TotpStatus> => this.api.request('GET', '/api/auth/totp');
  totpSetup = (): Promise<TotpSetup> => this.api.request('POST', '/api/auth/totp/setup');
  totpConfirm = (code: string): Promise<TotpStatus> => this.api.request('POST', '/api/auth/totp/confirm', { code });
  totpDisable = (code: string): Promise<TotpStatus> => this.api.request('POST', '/api/auth/totp/disable', { code });
  invitationInfo = (token: string): Promise<InvitationInfo> => this.api.request('GET', `/api/invitations?token=${enc(token)}`, undefined, true);
  // ApiClient.request's type lists GET/POST/PATCH; PUT and DELETE go through it the same way.
  private call = <T>(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => this.api.request<T>(method, path, body);
  teams = (): Promise<{ items: TeamView[] }> => this.api.request('GET', '/api/teams');
  saveTeam = (id: string | null, body: TeamBody): Promise<TeamView> => (id ? this.call('PUT', `/api/teams/${enc(id)}`, body) : this.api.request('POST', '/api/teams', body));
  deleteTeam = (id: string): Promise<void> => this.call('DELETE', `/api/teams/${enc(id)}`);
  presence = (): Promise<{ items: AgentPresenceView[] }> => this.api.request('GET', '/api/presence');
  setCapacity = (agentId: string, maxChats: number): Promise<AgentPresenceView> => this.call('PUT', `/api/presence/${enc(agentId)}`, { maxChats });
  contactSettings = (): Promise<ContactSettingsView> => this.api.request('GET', '/api/contact-settings');
  saveContactSettings = (body: ContactSettingsBody): Promise<ContactSettingsView> => this.api.request('POST', '/api/contact-settings', body);
  privacy = (): Promise<PrivacySettings> => this.api.request('GET', '/api/admin/privacy');
  savePrivacy = (body: Partial<PrivacySettings>): Promise<PrivacySettings> => this.call('PUT', '/api/admin/privacy', body);
  exposure = (q: ExposureQuery): Promise<ExposureReport> => this.api.request('GET', exposureQuery(q));
  acceptInvitation = (body: { token: string; name: string; password: string }): Promise<AgentView> => this.api.request('POST', '/api/invitations/accept', body, true);
}
