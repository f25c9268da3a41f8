/**
 * A small program against the generated types: it only compiles if the OpenAPI document gives the
 * bodies it uses real types (a `never` anywhere fails the `NotNever` checks).
 */
import { ParleyRestClient, type components } from '../src/index.js';

type NotNever<T> = [T] extends [never] ? false : true;
const yes = <T extends true>(_: T) => undefined;

export async function example(api: ParleyRestClient): Promise<string[]> {
  const page = await api.request('get', '/api/conversations', { query: { view: 'all', limit: 10 } });
  yes<NotNever<typeof page>>(true);
  const first = page.items[0];
  if (!first) return [];
  const conv = await api.request('get', '/api/conversations/{id}', { params: { id: first.id } });
  const status: 'open' | 'resolved' = conv.status;
  const sent = await api.request('post', '/api/conversations/{id}/messages', { params: { id: conv.id }, body: { clientId: 'example-1', body: 'Hello' } });
  const seq: number = sent.seq;
  const me = await api.request('get', '/api/auth/me', {});
  const keyScopes: string[] | undefined = me.apiKey?.scopes;
  const context = await api.request('get', '/api/conversations/{id}/context', { params: { id: conv.id } });
  yes<NotNever<typeof context.pagesSeen>>(true);
  const presence = await api.request('get', '/api/presence', {});
  const capacities: number[] = presence.items.map((a) => a.maxChats);
  const report = await api.request('get', '/api/reports', {});
  yes<NotNever<typeof report>>(true);
  const csv: string = await api.request('get', '/api/reports/export.csv', {});
  const exposure = await api.request('get', '/api/admin/exposure', { query: { from: '2026-01-01T00:00:00Z' } });
  yes<NotNever<typeof exposure>>(true);
  const health = await api.request('get', '/healthz', {});
  const err: components['schemas']['ErrorBody']['error']['code'] = 'not_found';
  return [status, String(seq), String(keyScopes), String(capacities), csv, JSON.stringify(health), err];
}
