/**
 * Single sign-on for agents (issue 20 item 5): a tenant's OpenID Connect settings, as the admin API
 * reads and writes them, and the console's "Sign in with SSO" discovery. The client secret is
 * write-only: answers say whether one is set, never what it is.
 */
import Type, { type Static } from 'typebox';
import { AgentRole } from './records.js';

const ClaimValues = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 });
export const SsoRoleMapping = Type.Object({ admin: ClaimValues, supervisor: ClaimValues, agent: ClaimValues }, { additionalProperties: false });
export type SsoRoleMapping = Static<typeof SsoRoleMapping>;

export const SsoSettingsView = Type.Object({
  enabled: Type.Boolean(),
  issuer: Type.String(),
  clientId: Type.String(),
  /** Whether a client secret is stored (it is never shown again). */
  clientSecretSet: Type.Boolean(),
  allowedDomains: Type.Array(Type.String()),
  /** The ID-token claim whose values pick the role (e.g. `groups`). */
  roleClaim: Type.String(),
  roleMapping: SsoRoleMapping,
  /** Role of a user with no mapped claim value; null: such a user is refused. */
  defaultRole: Type.Union([AgentRole, Type.Null()]),
  /** Password login is refused for this tenant's agents, except the break-glass admins. */
  requireSso: Type.Boolean(),
  breakGlassAgentIds: Type.Array(Type.String()),
  /** Register this redirect URI with the identity provider. */
  redirectUri: Type.String(),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type SsoSettingsView = Static<typeof SsoSettingsView>;

export const SsoSettingsBody = Type.Object(
  {
    enabled: Type.Boolean(),
    issuer: Type.String({ minLength: 1, maxLength: 500 }),
    clientId: Type.String({ minLength: 1, maxLength: 300 }),
    /** Omitted: keep the stored secret. Empty string: remove it (a public client using PKCE only). */
    clientSecret: Type.Optional(Type.String({ maxLength: 1000 })),
    allowedDomains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 50 }),
    roleClaim: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_:./-]+$' }),
    roleMapping: SsoRoleMapping,
    defaultRole: Type.Union([AgentRole, Type.Null()]),
    requireSso: Type.Boolean(),
    breakGlassAgentIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 }),
  },
  { additionalProperties: false },
);
export type SsoSettingsBody = Static<typeof SsoSettingsBody>;

/** `?q=` a tenant slug or a work email: where to start signing in. */
export const SsoDiscoveryQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });
export const SsoDiscovery = Type.Object({ tenant: Type.String(), tenantName: Type.String(), startUrl: Type.String() });
export type SsoDiscovery = Static<typeof SsoDiscovery>;

/** `?sso_error=` codes the callback sends the browser back to the console with. */
export const SSO_ERRORS = ['unavailable', 'expired', 'refused', 'email_unverified', 'domain_not_allowed', 'no_role', 'other_tenant', 'disabled', 'break_glass'] as const;
export type SsoErrorCode = (typeof SSO_ERRORS)[number];

/** SCIM bearer token, shown once when created. */
export const ScimTokenCreated = Type.Object({ token: Type.String(), baseUrl: Type.String() });
export type ScimTokenCreated = Static<typeof ScimTokenCreated>;

// ---------- SCIM 2.0 (RFC 7643/7644), /scim/v2 — the subset identity providers use for users ----------

const ScimEmail = Type.Object({ value: Type.String({ maxLength: 254 }), primary: Type.Optional(Type.Boolean()), type: Type.Optional(Type.String({ maxLength: 50 })) });
/** POST /scim/v2/Users (extra attributes providers send are ignored). */
export const ScimUserBody = Type.Object({
  schemas: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 10 })),
  userName: Type.String({ minLength: 3, maxLength: 254 }),
  externalId: Type.Optional(Type.String({ maxLength: 200 })),
  displayName: Type.Optional(Type.String({ maxLength: 200 })),
  name: Type.Optional(Type.Object({ formatted: Type.Optional(Type.String({ maxLength: 200 })), givenName: Type.Optional(Type.String({ maxLength: 100 })), familyName: Type.Optional(Type.String({ maxLength: 100 })) })),
  emails: Type.Optional(Type.Array(ScimEmail, { maxItems: 10 })),
  active: Type.Optional(Type.Boolean()),
});
export type ScimUserBody = Static<typeof ScimUserBody>;
/** PATCH /scim/v2/Users/:id: `replace` of `active` or `displayName`, by path or as a value object. */
export const ScimPatchBody = Type.Object({
  schemas: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 10 })),
  Operations: Type.Array(Type.Object({ op: Type.String({ maxLength: 20 }), path: Type.Optional(Type.String({ maxLength: 200 })), value: Type.Optional(Type.Unknown()) }), { minItems: 1, maxItems: 20 }),
});
export type ScimPatchBody = Static<typeof ScimPatchBody>;
export const ScimListQuery = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 300 })),
  startIndex: Type.Optional(Type.Integer({ minimum: 1 })),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
});
export type ScimListQuery = Static<typeof ScimListQuery>;
