/**
 * Authentication for the REST API: a tenant API key (`Authorization: Bearer pk_…`, no CSRF needed:
 * browsers never attach it on their own) or an agent's session cookie (CSRF rules of requireAgent).
 * Either way the request gets a Principal: its tenant, the agent it acts as, its scopes, and how to
 * name it in the audit log. Failed API-key attempts are limited per address (API_KEY_FAILURES), like
 * failed logins: once over the limit, every Bearer attempt from that address gets 429 — even with a
 * right key — until the window ends, so keys cannot be guessed at speed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_SCOPES, type ApiScope } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import type { AuditActor } from '../../security/auditLog.js';
import { hashApiKey, looksLikeApiKey } from '../../security/apiKeys.js';
import type { Agent } from '../../storage/schema.js';
import type { Accessor } from '../../security/accessAudit.js';
import { RateLimiter } from '../../security/rateLimiter.js';
import { requireAgent } from './requireAgent.js';
import { withAuthSpec } from './authSpec.js';

export interface Principal {
  tenantId: string;
  /** The agent acting: the signed-in agent, or the agent an API key acts as (its creator). */
  agent: Agent;
  via: 'session' | 'api_key';
  apiKeyId: string | null;
  scopes: ReadonlySet<ApiScope>;
  /** Who to record in the audit log for anything this request does. */
  audit: AuditActor;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** What a signed-in agent may do over the API, by role. `admin` covers every scope. */
export const ROLE_SCOPES: Record<Agent['role'], readonly ApiScope[]> = {
  agent: ['conversations:read', 'conversations:write', 'visitors:read', 'agents:read', 'content:read', 'contacts:read', 'contacts:write'],
  supervisor: ['conversations:read', 'conversations:write', 'visitors:read', 'agents:read', 'reports:read', 'content:read', 'content:write', 'contacts:read', 'contacts:write'],
  admin: API_SCOPES,
};

/** Failed Bearer attempts allowed per address per window. */
export const API_KEY_FAILURES = { perAddress: 20, windowMs: 15 * 60_000 };
/** One limiter per app (Ctx): every route's guard counts into the same window. */
const failuresByApp = new WeakMap<Ctx, RateLimiter>();

/** Keys are touched at most once a minute, so a busy integration does not write on every call. */
const LAST_USED_GRANULARITY_MS = 60_000;

export function auditActorOf(req: FastifyRequest): AuditActor {
  if (req.principal) return req.principal.audit;
  return { kind: 'agent', id: req.agent?.id ?? null, credential: req.session ? `session:${req.session.id.slice(0, 16)}` : null, address: req.ip };
}

export function hasScope(p: Pick<Principal, 'scopes'>, scope: ApiScope): boolean {
  return p.scopes.has(scope) || p.scopes.has('admin');
}

/**
 * What an API key may do now (issue 17 item 11): its scopes intersected with what its creator's
 * CURRENT role allows, computed on every request. A key never outranks the agent it acts as, so an
 * admin demoted to agent keeps no admin power through a key made while an admin ('admin' scope
 * means every scope, then narrowed to the role's).
 */
export function effectiveKeyScopes(keyScopes: readonly ApiScope[], role: Agent['role']): Set<ApiScope> {
  const allowed = new Set<ApiScope>(ROLE_SCOPES[role]);
  const granted = keyScopes.includes('admin') ? API_SCOPES : keyScopes;
  return new Set(granted.filter((s) => allowed.has(s)));
}

/**
 * preHandler: authenticates by API key or session, then requires `scope` (null: any authenticated
 * caller). `allowTotpEnrolment`: a session that must still enrol in two-factor is accepted too.
 */
/** The per-address limiter of failed API-key attempts of this app: every route and the agent socket count into it. */
function keyFailures(ctx: Ctx): RateLimiter {
  let failures = failuresByApp.get(ctx);
  if (!failures) failuresByApp.set(ctx, (failures = new RateLimiter(API_KEY_FAILURES.perAddress, API_KEY_FAILURES.windowMs)));
  return failures;
}

/**
 * The principal of an `Authorization: Bearer pk_…` header (REST routes and the agent socket's
 * upgrade): the key's tenant, the agent it acts as, its effective scopes. Throws `unauthorized` for
 * a malformed, unknown or revoked key (counted per address) and `rate_limited` once over the limit.
 */
export async function principalFromApiKey(ctx: Ctx, header: string, ip: string): Promise<Principal> {
  const db = ctx.storage.db;
  const limiter = keyFailures(ctx);
  const failed = (message: string): AppError => {
    limiter.hit(ip);
    return new AppError('unauthorized', message);
  };
  if (limiter.blocked(ip)) throw new AppError('rate_limited', 'Too many failed API key attempts from this address; try again in 15 minutes');
  const m = /^Bearer (\S+)$/i.exec(header);
  if (!m || !looksLikeApiKey(m[1]!)) throw failed('Authorization must be "Bearer pk_…" with a Parley API key');
  const key = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', hashApiKey(m[1]!)).where('revoked_at', 'is', null).executeTakeFirst();
  const agent = key
    ? await db.selectFrom('agents').selectAll().where('id', '=', key.agent_id).where('tenant_id', '=', key.tenant_id).where('disabled_at', 'is', null).executeTakeFirst()
    : undefined;
  if (!key || !agent) throw failed('API key is not valid or was revoked');
  const now = Date.now();
  if (key.last_used_at === null || key.last_used_at < now - LAST_USED_GRANULARITY_MS) {
    await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', key.id).execute();
  }
  return {
    tenantId: key.tenant_id,
    agent,
    via: 'api_key',
    apiKeyId: key.id,
    scopes: effectiveKeyScopes(JSON.parse(key.scopes) as ApiScope[], agent.role),
    audit: { kind: 'api_key', id: key.id, credential: `key:${key.id}`, address: ip },
  };
}

/** The refusal of a principal without `scope`, worded for a key or a session. */
export function missingScope(p: Principal, scope: ApiScope): AppError {
  return new AppError(
    'forbidden',
    p.via === 'api_key' ? `this API key lacks the ${scope} scope, or the agent who created it no longer has a role that allows it` : `your role does not allow this (${scope})`,
  );
}

/**
 * preHandler: authenticates by API key or session, then requires `scope` (null: any authenticated
 * caller). `allowTotpEnrolment`: a session that must still enrol in two-factor is accepted too.
 */
export function requireAuth(ctx: Ctx, sessions: AgentSessions, scope: ApiScope | null, opts: { allowTotpEnrolment?: boolean } = {}) {
  const bySession = requireAgent(sessions, ctx.env, opts);
  return withAuthSpec(async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      req.principal = await principalFromApiKey(ctx, header, req.ip);
      req.agent = req.principal.agent;
    } else {
      await bySession(req, reply);
      req.principal = {
        tenantId: req.agent.tenant_id,
        agent: req.agent,
        via: 'session',
        apiKeyId: null,
        scopes: new Set(ROLE_SCOPES[req.agent.role]),
        audit: { kind: 'agent', id: req.agent.id, credential: `session:${req.session.id.slice(0, 16)}`, address: req.ip },
      };
    }
    if (scope && !hasScope(req.principal, scope)) throw missingScope(req.principal, scope);
  }, { kind: 'principal', scope });
}

/** The principal as an access-audit Accessor (security/accessAudit.ts). */
export function principalAccessor(p: Principal): Accessor {
  return p.via === 'api_key'
    ? { kind: 'api_key', tenantId: p.tenantId, keyId: p.apiKeyId!, address: p.audit.address }
    : { kind: 'agent', tenantId: p.tenantId, agentId: p.agent.id, credential: p.audit.credential!, address: p.audit.address };
}
