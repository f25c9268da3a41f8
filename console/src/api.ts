/**
 * The console's only HTTP client: JSON in and out, same-origin cookies, the CSRF header on every
 * non-GET request, and `{ error: { code, message } }` bodies turned into a thrown ApiError.
 */
import type { ErrorCode } from '../../protocol/errorCodes.js';
import type {
  ConversationList,
  EmbedSnippet,
  InboxView,
  LoginBody,
  MessageList,
  SessionInfo,
} from '../../protocol/http.js';
import type { ConversationView, IncidentView } from '../../protocol/records.js';
import type { CspDestinationList, CspProposal } from '../../protocol/csp.js';

/** `network` when the request never got an HTTP answer; `internal` for unparseable failures. */
export type ApiErrorCode = ErrorCode | 'network';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** The error body's `details`, e.g. { totpRequired: true } from a login that needs a code. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  fetch?: FetchLike;
  /** Called for every 401 outside the login/me calls, so the app can return to the login screen. */
  onUnauthorized?: () => void;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'unavailable',
};

function isErrorBody(v: unknown): v is { error: { code: string; message: string } } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}

export class ApiClient {
  private csrfToken = '';
  private readonly fetchImpl: FetchLike;

  constructor(private readonly opts: ApiClientOptions = {}) {
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  setCsrfToken(token: string): void {
    this.csrfToken = token;
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, quiet401 = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await this.fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'network error');
    }
    const text = res.status === 204 ? '' : await res.text().catch(() => '');
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      const err = isErrorBody(data)
        ? new ApiError(res.status, data.error.code as ErrorCode, data.error.message, (data.error as { details?: unknown }).details)
        : new ApiError(res.status, STATUS_CODES[res.status] ?? 'internal', res.statusText || `HTTP ${res.status}`);
      if (res.status === 401 && !quiet401) this.opts.onUnauthorized?.();
      throw err;
    }
    return data as T;
  }

  // ---- auth ----
  async login(body: LoginBody): Promise<SessionInfo> {
    const s = await this.request<SessionInfo>('POST', '/api/auth/login', body, true);
    this.csrfToken = s.csrfToken;
    return s;
  }

  async me(): Promise<SessionInfo> {
    const s = await this.request<SessionInfo>('GET', '/api/auth/me', undefined, true);
    this.csrfToken = s.csrfToken;
    return s;
  }

  async logout(): Promise<void> {
    try {
      await this.request<void>('POST', '/api/auth/logout', undefined, true);
    } finally {
      this.csrfToken = '';
    }
  }

  // ---- conversations ----
  listConversations(q: { view: InboxView; status: 'open' | 'resolved'; limit?: number; cursor?: string | null }): Promise<ConversationList> {
    const p = new URLSearchParams({ view: q.view, status: q.status, limit: String(q.limit ?? 50) });
    if (q.cursor) p.set('cursor', q.cursor);
    return this.request('GET', `/api/conversations?${p.toString()}`);
  }

  getConversation(id: string): Promise<ConversationView> {
    return this.request('GET', `/api/conversations/${encodeURIComponent(id)}`);
  }

  listMessages(id: string, afterSeq: number, limit = 200): Promise<MessageList> {
    return this.request('GET', `/api/conversations/${encodeURIComponent(id)}/messages?afterSeq=${afterSeq}&limit=${limit}`);
  }

  assign(id: string, agentId: string | null): Promise<ConversationView> {
    return this.request('POST', `/api/conversations/${encodeURIComponent(id)}/assign`, { agentId });
  }

  resolve(id: string): Promise<ConversationView> {
    return this.request('POST', `/api/conversations/${encodeURIComponent(id)}/resolve`);
  }

  reopen(id: string): Promise<ConversationView> {
    return this.request('POST', `/api/conversations/${encodeURIComponent(id)}/reopen`);
  }

  // ---- tenant ----
  embedSnippet(): Promise<EmbedSnippet> {
    return this.request('GET', '/api/tenant/embed');
  }

  // ---- security ----
  incidents(): Promise<{ items: IncidentView[] }> {
    return this.request('GET', '/api/incidents?status=open&limit=50');
  }

  cspProposal(): Promise<CspProposal> {
    return this.request('GET', '/api/tenant/csp');
  }

  cspDestinations(): Promise<CspDestinationList> {
    return this.request('GET', '/api/csp/destinations');
  }
}
