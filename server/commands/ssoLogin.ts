/**
 * Signing an agent in through the tenant's OpenID provider (authorization code + PKCE S256).
 *
 * start: a fresh state, nonce and PKCE verifier are stored server-side (sso_login_states, ten
 * minutes, the verifier sealed) under the SHA-256 of the state, bound to this browser by a random
 * cookie whose SHA-256 is stored with them. The browser goes to the provider.
 * finish: the state must name a live request of THIS tenant started by THIS browser; it is consumed
 * (single use) before the code is exchanged; openid-client checks state, iss, PKCE and the ID token
 * (signature, issuer, audience, expiry, nonce). Then the identity must have a verified email in an
 * allowed domain and a mapped role, and becomes an agent of this tenant only: a linked IdP subject,
 * else an existing agent of this tenant with that email, else a new agent (just-in-time). An email
 * held by another tenant's agent is refused, never linked. The role follows the mapping at every
 * sign-in, so a demotion in the IdP applies at the next one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SsoErrorCode, SsoRoleMapping } from '../../protocol/sso.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { newId, randomToken } from '../security/ids.js';
import type { OidcClients } from '../security/oidcClient.js';
import { hashPassword } from '../security/passwords.js';
import { openField, sealField } from '../security/sealedFields.js';
import { emailDomain, roleFromClaim } from '../policies/ssoPolicy.js';
import { breakGlassIds, oidcProviderOf, ssoRedirectUri } from '../queries/ssoQueries.js';
import type { Agent, Session } from '../storage/schema.js';
import type { TenantSso } from '../storage/ssoSchema.js';
import type { AgentSessions } from './agentSessions.js';

export const SSO_STATE_TTL_MS = 10 * 60_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A refused sign-in: `code` is what the console is told (protocol/sso.ts SSO_ERRORS). */
export const ssoRefused = (code: SsoErrorCode, message: string) => new AppError('forbidden', message, { ssoError: code });

async function enabledSso(ctx: Ctx, slug: string): Promise<{ tenant: { id: string; slug: string }; sso: TenantSso }> {
  const db = ctx.storage.db;
  const tenant = await db.selectFrom('tenants').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst();
  const sso = tenant ? await db.selectFrom('tenant_sso').selectAll().where('tenant_id', '=', tenant.id).where('enabled', '=', 1).executeTakeFirst() : undefined;
  if (!tenant || !sso) throw ssoRefused('unavailable', 'single sign-on is not set up for this organisation');
  return { tenant, sso };
}

export async function startSsoLogin(ctx: Ctx, clients: OidcClients, slug: string): Promise<{ url: string; binding: string }> {
  const db = ctx.storage.db;
  const { tenant, sso } = await enabledSso(ctx, slug);
  const request = await clients.authorizationRequest(await oidcProviderOf(ctx, sso), ssoRedirectUri(ctx.env.publicUrl, tenant.slug)).catch((err: Error) => {
    ctx.log.warn({ tenantId: tenant.id, err: err.message }, 'SSO provider unavailable');
    throw ssoRefused('unavailable', 'the identity provider cannot be reached');
  });
  const binding = randomToken(32);
  const id = sha256(request.state);
  const now = Date.now();
  await db.deleteFrom('sso_login_states').where('expires_at', '<', now).execute();
  await db
    .insertInto('sso_login_states')
    .values({
      id,
      tenant_id: tenant.id,
      binding: sha256(binding),
      nonce: request.nonce,
      code_verifier: await sealField(ctx.keyring, tenant.id, 'sso_login_states', 'code_verifier', id, request.codeVerifier),
      expires_at: now + SSO_STATE_TTL_MS,
    })
    .execute();
  return { url: request.url, binding };
}

export interface SsoCallback {
  /** The full URL the provider sent the browser back to (the code, state and iss are in it). */
  url: URL;
  /** The browser-binding cookie set at start. */
  binding: string | undefined;
  ip: string;
  userAgent: string | null;
}

export async function finishSsoLogin(ctx: Ctx, clients: OidcClients, sessions: AgentSessions, slug: string, cb: SsoCallback): Promise<{ token: string; session: Session; agent: Agent }> {
  const db = ctx.storage.db;
  const { tenant, sso } = await enabledSso(ctx, slug);
  const state = cb.url.searchParams.get('state');
  const expired = ssoRefused('expired', 'this sign-in link has expired or was already used; start again');
  if (!state || !cb.binding) throw expired;
  const id = sha256(state);
  const pending = await db.selectFrom('sso_login_states').selectAll().where('id', '=', id).where('tenant_id', '=', tenant.id).executeTakeFirst();
  if (!pending || pending.expires_at <= Date.now() || !timingSafeEqual(Buffer.from(pending.binding), Buffer.from(sha256(cb.binding)))) throw expired;
  // Consumed before anything else: a replayed callback finds nothing, even if this one fails later.
  const consumed = await db.deleteFrom('sso_login_states').where('id', '=', id).where('tenant_id', '=', tenant.id).executeTakeFirst();
  if (consumed.numDeletedRows !== 1n) throw expired;
  if (cb.url.searchParams.has('error')) throw ssoRefused('refused', 'the identity provider refused the sign-in');

  // Unopenable (its key version destroyed meanwhile): as good as expired.
  const codeVerifier = await openField(ctx.keyring, tenant.id, 'sso_login_states', 'code_verifier', id, pending.code_verifier).catch(() => {
    throw expired;
  });
  const claims = await clients.exchange(await oidcProviderOf(ctx, sso), cb.url, { state, nonce: pending.nonce, codeVerifier }).catch((err: Error) => {
    // The library's message names the failed check (never a secret); the answer stays generic.
    ctx.log.warn({ tenantId: tenant.id, err: err.message }, 'SSO sign-in refused');
    throw ssoRefused('refused', 'the sign-in could not be verified');
  });
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email || claims.email_verified !== true) throw ssoRefused('email_unverified', 'your identity provider did not confirm your email address');
  if (!(JSON.parse(sso.allowed_domains) as string[]).includes(emailDomain(email))) throw ssoRefused('domain_not_allowed', 'your email domain is not allowed to sign in here');
  const role = roleFromClaim(claims[sso.role_claim], JSON.parse(sso.role_mapping) as SsoRoleMapping, sso.default_role);
  if (!role) throw ssoRefused('no_role', 'your account has no Parley role in your identity provider');

  const identity = { issuer: String(claims.iss), subject: String(claims.sub), email, name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : email };
  const agent = await provisionAgent(ctx, tenant.id, sso, identity, role, cb.ip);
  return sessions.open(agent, cb.ip, cb.userAgent);
}

interface Identity {
  issuer: string;
  subject: string;
  email: string;
  name: string;
}

/** The agent of this tenant the identity is, created or updated; never another tenant's. */
async function provisionAgent(ctx: Ctx, tenantId: string, sso: TenantSso, who: Identity, role: Agent['role'], ip: string): Promise<Agent> {
  const db = ctx.storage.db;
  const now = Date.now();
  const link = await db.selectFrom('agent_sso_links').selectAll().where('tenant_id', '=', tenantId).where('issuer', '=', who.issuer).where('subject', '=', who.subject).executeTakeFirst();
  let agent = link ? await db.selectFrom('agents').selectAll().where('id', '=', link.agent_id).where('tenant_id', '=', tenantId).executeTakeFirst() : undefined;
  let created = false;
  if (!agent) {
    // Emails are unique across the installation: one held by another tenant is never taken over.
    const byEmail = await db.selectFrom('agents').selectAll().where('email', '=', who.email).executeTakeFirst();
    if (byEmail && byEmail.tenant_id !== tenantId) throw ssoRefused('other_tenant', 'this email belongs to an account of another organisation');
    if (byEmail) {
      const linked = await db.selectFrom('agent_sso_links').select('subject').where('agent_id', '=', byEmail.id).executeTakeFirst();
      if (linked) throw ssoRefused('refused', 'this agent is linked to another identity of your provider');
      agent = byEmail;
    } else {
      agent = {
        id: newId('agt'),
        tenant_id: tenantId,
        email: who.email,
        name: who.name,
        role,
        // A random password nobody knows: this agent signs in through SSO only.
        password_hash: await hashPassword(randomToken(32)),
        created_at: now,
        disabled_at: null,
      };
      created = true;
    }
  }
  if (agent.disabled_at !== null) throw ssoRefused('disabled', 'your Parley account is disabled; ask your admin');
  // Break-glass accounts stay independent of the provider they are the way around.
  if (breakGlassIds(sso).includes(agent.id)) throw ssoRefused('break_glass', 'a break-glass account signs in with its password and two-factor only');

  const actor: AuditActor = { kind: 'agent', id: agent.id, credential: `sso:${who.issuer}`, address: ip };
  const final = { ...agent, role };
  try {
    await db.transaction().execute(async (trx) => {
      if (created) await trx.insertInto('agents').values(final).execute();
      else if (agent.role !== role) await trx.updateTable('agents').set({ role }).where('id', '=', agent.id).where('tenant_id', '=', tenantId).execute();
      if (link) await trx.updateTable('agent_sso_links').set({ last_login_at: now }).where('agent_id', '=', agent.id).execute();
      else await trx.insertInto('agent_sso_links').values({ agent_id: agent.id, tenant_id: tenantId, issuer: who.issuer, subject: who.subject, created_at: now, last_login_at: now }).execute();
      await appendAudit(trx, actor, [
        ...(created ? [{ tenantId, action: 'sso.agent_provisioned', resourceType: 'agent', resourceId: agent.id, details: { email: who.email, role } }] : []),
        ...(!created && agent.role !== role ? [{ tenantId, action: 'sso.role_changed', resourceType: 'agent', resourceId: agent.id, details: { from: agent.role, to: role } }] : []),
        { tenantId, action: 'sso.login', resourceType: 'agent', resourceId: agent.id, details: { issuer: who.issuer, subject: who.subject } },
      ]);
    });
  } catch (err) {
    // Another sign-in created this email (or link) at the same moment: refuse rather than guess.
    if (ctx.storage.isUniqueViolation(err)) throw ssoRefused('other_tenant', 'this email or identity is already in use');
    throw err;
  }
  return final;
}
