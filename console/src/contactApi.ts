/** Contact-centre calls of the console (issue 5), on top of the one ApiClient (CSRF, errors). */
import type { AgentPresenceView, ArticleBody, ArticleView, CannedBody, CannedResponseView, ContactSettingsView, TeamView, TransferBody, VisitorContextView } from '../../protocol/contactCentre.js';
import type { ConversationView } from '../../protocol/records.js';
import type { ApiClient } from './api.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const enc = encodeURIComponent;

export class ContactApi {
  constructor(private readonly api: ApiClient) {}

  private call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return this.api.request<T>(method, path, body);
  }

  presence(): Promise<{ items: AgentPresenceView[] }> {
    return this.call('GET', '/api/presence');
  }
  setPresence(body: { status?: 'online' | 'away'; maxChats?: number }): Promise<AgentPresenceView> {
    return this.call('POST', '/api/presence', body);
  }
  teams(): Promise<{ items: TeamView[] }> {
    return this.call('GET', '/api/teams');
  }
  transfer(conversationId: string, to: TransferBody): Promise<ConversationView> {
    return this.call('POST', `/api/conversations/${enc(conversationId)}/transfer`, to);
  }
  context(conversationId: string): Promise<VisitorContextView> {
    return this.call('GET', `/api/conversations/${enc(conversationId)}/context`);
  }
  canned(): Promise<{ items: CannedResponseView[] }> {
    return this.call('GET', '/api/canned-responses');
  }
  saveCanned(id: string | null, body: CannedBody): Promise<CannedResponseView> {
    return this.call(id ? 'PUT' : 'POST', id ? `/api/canned-responses/${enc(id)}` : '/api/canned-responses', body);
  }
  deleteCanned(id: string): Promise<void> {
    return this.call('DELETE', `/api/canned-responses/${enc(id)}`);
  }
  articles(): Promise<{ items: ArticleView[] }> {
    return this.call('GET', '/api/kb/articles');
  }
  saveArticle(id: string | null, body: ArticleBody): Promise<ArticleView> {
    return this.call(id ? 'PUT' : 'POST', id ? `/api/kb/articles/${enc(id)}` : '/api/kb/articles', body);
  }
  deleteArticle(id: string): Promise<void> {
    return this.call('DELETE', `/api/kb/articles/${enc(id)}`);
  }
  /** Conversations whose messages contain every word of q (GET /api/conversations/search). */
  search(q: string, limit = 50): Promise<{ items: ConversationView[] }> {
    return this.call('GET', `/api/conversations/search?q=${enc(q)}&limit=${limit}`);
  }
  settings(): Promise<ContactSettingsView> {
    return this.call('GET', '/api/contact-settings');
  }
  saveSettings(body: { botEnabled?: boolean; rotateIdentitySecret?: boolean }): Promise<ContactSettingsView> {
    return this.call('POST', '/api/contact-settings', body);
  }
}
