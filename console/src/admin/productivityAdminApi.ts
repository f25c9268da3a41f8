/** Admin › Labels and Admin › Macros over the REST API (/api/labels, /api/macros; the server checks the role). */
import type { AgentPresenceView } from '../../../protocol/contactCentre.js';
import type { LabelBody, LabelView, MacroBody, MacroView } from '../../../protocol/productivity.js';
import { ApiError, type ApiClient } from '../api.js';
import { t } from '../i18n.js';

const enc = encodeURIComponent;

/**
 * A save's refusal as the editor shows it (errorText): a name already taken (409) and something
 * deleted meanwhile (404, which errorText would call a missing conversation) in the console's
 * language; every other refusal (400, 403, 422) as the server words it, naming the field.
 */
async function saving<T>(p: Promise<T>, duplicate: () => string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'conflict' && /already exists/.test(e.message)) throw new ApiError(e.status, e.code, duplicate());
    if (e instanceof ApiError && e.code === 'not_found') throw new ApiError(e.status, 'conflict', t.admGoneMeanwhile);
    throw e;
  }
}

export class ProductivityAdminApi {
  constructor(private readonly api: ApiClient) {}
  // ApiClient.request's type lists GET/POST/PATCH; PUT and DELETE go through it the same way.
  private call = <T>(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => this.api.request<T>(method, path, body);
  labels = (): Promise<{ items: LabelView[] }> => this.api.request('GET', '/api/labels');
  saveLabel = (id: string | null, body: LabelBody, duplicate: () => string): Promise<LabelView> =>
    saving(id ? this.call('PUT', `/api/labels/${enc(id)}`, body) : this.api.request('POST', '/api/labels', body), duplicate);
  deleteLabel = (id: string): Promise<void> => this.call('DELETE', `/api/labels/${enc(id)}`);
  macros = (): Promise<{ items: MacroView[] }> => this.api.request('GET', '/api/macros');
  saveMacro = (id: string | null, body: MacroBody, duplicate: () => string): Promise<MacroView> =>
    saving(id ? this.call('PUT', `/api/macros/${enc(id)}`, body) : this.api.request('POST', '/api/macros', body), duplicate);
  deleteMacro = (id: string): Promise<void> => this.call('DELETE', `/api/macros/${enc(id)}`);
  /** The tenant's active agents (any signed-in agent may list them): the assignees a macro can name. */
  agents = (): Promise<{ items: AgentPresenceView[] }> => this.api.request('GET', '/api/presence');
}
