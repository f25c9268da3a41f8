/**
 * Typed REST client for Parley, from the OpenAPI document (schema.ts is generated from it). No
 * dependency: the platform's fetch. Authenticates with a tenant API key (`pk_…`) or, for widget
 * calls, a visitor token; a request's path, parameters, body and answer are checked by TypeScript.
 *
 *   const api = new ParleyRestClient({ baseUrl, apiKey });
 *   const page = await api.request('get', '/api/conversations', { query: { view: 'all' } });
 */
import type { components, paths } from './schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** Paths that have an operation for `M`. */
export type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined | never ? never : P }[keyof paths];

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : R extends { content: { [media: string]: infer B } } ? B : undefined;
/** The body of the operation's success answers (200, 201, 204…). */
export type SuccessBody<O> = O extends { responses: infer R } ? { [S in keyof R]: S extends 200 | 201 | 202 | 204 ? JsonOf<R[S]> : never }[keyof R] : never;

type Params<O> = O extends { parameters: infer P } ? P : never;
type Body<O> = O extends { requestBody?: infer RB } ? ([NonNullable<RB>] extends [never] ? never : NonNullable<RB> extends { content: { 'application/json': infer B } } ? B : never) : never;
export type RequestInit<O> = ([Params<O>] extends [never] ? {} : Params<O> extends { path: infer Path } ? ([Path] extends [never | undefined] ? {} : { params: Path }) : {}) &
  (Params<O> extends { query?: infer Q } ? ([Q] extends [never | undefined] ? {} : { query?: Q }) : {}) &
  ([Body<O>] extends [never] ? {} : { body: Body<O> });

export type ErrorBody = components['schemas']['ErrorBody']['error'];

/** An error answer: `code` is one of the documented error codes; `clientId` names the send it refers to. */
export class ParleyApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly clientId?: string,
  ) {
    super(message);
    this.name = 'ParleyApiError';
  }
}

export interface RestClientOptions {
  /** PUBLIC_URL of the Parley installation. */
  baseUrl: string;
  /** A tenant API key (`pk_…`), or a visitor token for /api/widget calls. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export class ParleyRestClient {
  private readonly fetch: typeof fetch;
  constructor(private readonly opts: RestClientOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async request<M extends Method, P extends PathsWith<M>>(method: M, path: P, init: RequestInit<Operation<P, M>>): Promise<SuccessBody<Operation<P, M>>> {
    const { params, query, body } = init as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
    let url = this.opts.baseUrl.replace(/\/+$/, '') + String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name] ?? '')));
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, String(v));
    if (search.toString()) url += `?${search.toString()}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetch(url, { method: method.toUpperCase(), headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (res.status === 204) return undefined as never;
    const type = res.headers.get('content-type') ?? '';
    const answer: unknown = type.includes('json') ? await res.json() : await res.text();
    if (!res.ok) {
      const error = (answer as { error?: ErrorBody } | null)?.error;
      throw new ParleyApiError(res.status, error?.code ?? 'internal', error?.message ?? `HTTP ${res.status}`, error?.clientId);
    }
    return answer as never;
  }
}
