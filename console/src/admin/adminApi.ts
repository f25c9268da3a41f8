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
  report = (q: { from: string; to: string; bucket: 'hour' | 'day' }): Promise<Report> =>
    this.api.request('GET', `/api/reports?from=${enc(q.from)}&to=${enc(q.to)}&bucket=${q.bucket}`);
  tenants = (): Promise<Page<TenantAdminView>> => this.api.request('GET', '/api/operator/tenants?limit=100');
  createTenant = (body: TenantCreateBody): Promise<TenantCreated> => this.api.request('POST', '/api/operator/tenants', body);
  totp = (): Promise<TotpStatus> => this.api.request('GET', '/api/auth/totp');
  totpSetup = (): Promise<TotpSetup> => this.api.request('POST', '/api/auth/totp/setup');
  totpConfirm = (code: string): Promise<TotpStatus> => this.api.request('POST', '/api/auth/totp/confirm', { code });
  totpDisable = (code: string): Promise<TotpStatus> => this.api.request('POST', '/api/auth/totp/disable', { code });
  invitationInfo = (token: string): Promise<InvitationInfo> => this.api.request('GET', `/api/invitations?token=${enc(token)}`, undefined, true);
  acceptInvitation = (body: { token: string; name: string; password: string }): Promise<AgentView> => this.api.request('POST', '/api/invitations/accept', body, true);
}
