/**
 * Tables of single sign-on and SCIM (migration 0120), merged into the Database interface of
 * schema.ts by declaration merging so that shared file is not widened.
 */
import type { Selectable } from 'kysely';

export interface TenantSsoTable {
  tenant_id: string;
  enabled: number;
  issuer: string;
  client_id: string;
  /** Sealed under the tenant's data key (sealedFields.ts); null for a public client (PKCE only). */
  client_secret: string | null;
  key_version: number;
  allowed_domains: string;
  role_claim: string;
  role_mapping: string;
  default_role: 'admin' | 'supervisor' | 'agent' | null;
  require_sso: number;
  break_glass: string;
  updated_at: number;
}

export interface AgentSsoLinkTable {
  agent_id: string;
  tenant_id: string;
  issuer: string;
  subject: string;
  created_at: number;
  last_login_at: number | null;
}

export interface SsoLoginStateTable {
  id: string;
  tenant_id: string;
  binding: string;
  nonce: string;
  code_verifier: string;
  expires_at: number;
}

export interface ScimTokenTable {
  tenant_id: string;
  token_hash: string;
  created_at: number;
}

declare module './schema.js' {
  interface Database {
    tenant_sso: TenantSsoTable;
    agent_sso_links: AgentSsoLinkTable;
    sso_login_states: SsoLoginStateTable;
    scim_tokens: ScimTokenTable;
  }
}

export type TenantSso = Selectable<TenantSsoTable>;
