/** HTTP calls of agent productivity (issue 20): labels, priority, snooze, macros, mentions, bulk. */
import type { ConversationView } from '../../protocol/records.js';
import type { BulkAction, LabelView, MacroView, MentionView, Priority } from '../../protocol/productivity.js';
import { ApiError, type ApiErrorCode } from './api.js';

export class ProductivityApi {
  constructor(private readonly csrf: () => string) {}

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf();
    let res: Response;
    try {
      res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network', 'network error');
    }
    const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
    if (!res.ok) {
      const e = (data as { error?: { code: string; message: string } } | undefined)?.error;
      throw new ApiError(res.status, (e?.code ?? 'internal') as ApiErrorCode, e?.message ?? `HTTP ${res.status}`);
    }
    return data as T;
  }

  labels = () => this.call<{ items: LabelView[] }>('GET', '/api/labels');
  createLabel = (name: string) => this.call<LabelView>('POST', '/api/labels', { name });
  addLabel = (id: string, labelId: string) => this.call<ConversationView>('PUT', `/api/conversations/${encodeURIComponent(id)}/labels/${encodeURIComponent(labelId)}`);
  removeLabel = (id: string, labelId: string) => this.call<ConversationView>('DELETE', `/api/conversations/${encodeURIComponent(id)}/labels/${encodeURIComponent(labelId)}`);
  priority = (id: string, priority: Priority) => this.call<ConversationView>('POST', `/api/conversations/${encodeURIComponent(id)}/priority`, { priority });
  snooze = (id: string, until: string | null) => this.call<ConversationView>('POST', `/api/conversations/${encodeURIComponent(id)}/snooze`, until ? { until } : {});
  unsnooze = (id: string) => this.call<ConversationView>('POST', `/api/conversations/${encodeURIComponent(id)}/unsnooze`);
  macros = () => this.call<{ items: MacroView[] }>('GET', '/api/macros');
  applyMacro = (id: string, macroId: string, clientId: string) =>
    this.call<{ conversation: ConversationView; messageId: string | null; duplicate: boolean }>('POST', `/api/conversations/${encodeURIComponent(id)}/macros/${encodeURIComponent(macroId)}`, { clientId });
  mentions = () => this.call<{ items: MentionView[]; unread: number }>('GET', '/api/mentions?unread=true');
  readMention = (id: string) => this.call<void>('POST', `/api/mentions/${encodeURIComponent(id)}/read`);
  list = (f: InboxFilterQuery) => this.call<{ items: ConversationView[] }>('GET', `/api/conversations?${filterQuery(f)}`);
  bulk = (ids: string[], action: BulkAction) => this.call<{ items: ConversationView[] }>('POST', '/api/conversations/bulk', { ids, action });
}

export interface InboxFilterQuery {
  snoozed: boolean;
  label: string;
  priority: '' | Priority;
  sort: 'recent' | 'priority';
}

export function filterQuery(f: InboxFilterQuery): string {
  const q = new URLSearchParams({ view: f.snoozed ? 'snoozed' : 'all', status: 'open', limit: '100' });
  if (f.label) q.set('label', f.label);
  if (f.priority) q.set('priority', f.priority);
  if (f.sort === 'priority') q.set('sort', 'priority');
  return q.toString();
}
