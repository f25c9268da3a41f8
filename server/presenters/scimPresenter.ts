/** An agent as a SCIM 2.0 User resource (RFC 7643 §4.1). */
import type { Agent } from '../storage/schema.js';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function presentScimUser(a: Agent, baseUrl: string) {
  return {
    schemas: [SCIM_USER_SCHEMA],
    id: a.id,
    userName: a.email,
    displayName: a.name,
    name: { formatted: a.name },
    emails: [{ value: a.email, primary: true, type: 'work' }],
    active: a.disabled_at === null,
    // Read-only here: roles follow the SSO mapping at sign-in.
    roles: [{ value: a.role }],
    meta: { resourceType: 'User', created: new Date(a.created_at).toISOString(), location: `${baseUrl}/scim/v2/Users/${a.id}` },
  };
}
