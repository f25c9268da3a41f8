/**
 * How a route authenticates, attached to its preHandler so the OpenAPI document states security
 * exactly as enforced (routes/docs/openapi.ts reads it back; nothing is declared twice):
 * - `principal`: an API key or the console session; `scope` is what both need (null: any).
 * - `session`: the console session only; `reason` says why keys are refused (an agent's own account).
 * - `visitor`: the widget's visitor token (`Authorization: Bearer <token>` from POST /api/widget/session).
 */
import type { ApiScope } from '../../../protocol/admin.js';

export type AuthSpec = { kind: 'principal'; scope: ApiScope | null } | { kind: 'session'; reason: string } | { kind: 'visitor'; optional?: boolean };

const AUTH_SPEC = Symbol('parley.authSpec');

export function withAuthSpec<F extends object>(guard: F, spec: AuthSpec): F {
  Object.defineProperty(guard, AUTH_SPEC, { value: spec });
  return guard;
}

/** The spec of a route's preHandler (one function or a list; the last that has one wins: it narrows the earlier ones). */
export function authSpecOf(preHandler: unknown): AuthSpec | undefined {
  const list = Array.isArray(preHandler) ? preHandler : [preHandler];
  for (const fn of [...list].reverse()) {
    const spec = fn && (fn as Record<symbol, AuthSpec | undefined>)[AUTH_SPEC];
    if (spec) return spec;
  }
  return undefined;
}
