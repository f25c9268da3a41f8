import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, type FetchLike } from './api.js';

function fakeFetch(status: number, body: unknown) {
  return vi.fn<FetchLike>(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

const session = { agent: { id: 'a1', tenantId: 't1', email: 'a@x.io', name: 'A', role: 'admin' }, tenant: {}, csrfToken: 'tok-1' };

describe('ApiClient', () => {
  it('sends the CSRF token from login on non-GET requests only, with same-origin credentials', async () => {
    const f = fakeFetch(200, session);
    const api = new ApiClient({ fetch: f });
    await api.login({ email: 'a@x.io', password: 'pw' });
    const [, loginInit] = f.mock.calls[0]!;
    expect(loginInit.credentials).toBe('same-origin');
    expect(loginInit.method).toBe('POST');
    expect(JSON.parse(String(loginInit.body))).toEqual({ email: 'a@x.io', password: 'pw' });

    await api.resolve('c1');
    const [url, init] = f.mock.calls[1]!;
    expect(url).toBe('/api/conversations/c1/resolve');
    expect((init.headers as Record<string, string>)['x-csrf-token']).toBe('tok-1');
    expect(init.body).toBeUndefined();

    await api.listConversations({ view: 'mine', status: 'open' });
    const [listUrl, listInit] = f.mock.calls[2]!;
    expect(listUrl).toBe('/api/conversations?view=mine&status=open&limit=50');
    expect((listInit.headers as Record<string, string>)['x-csrf-token']).toBeUndefined();
  });

  it('turns an error body into a typed ApiError', async () => {
    const api = new ApiClient({ fetch: fakeFetch(429, { error: { code: 'rate_limited', message: 'slow down' } }) });
    const err = await api.login({ email: 'a@x.io', password: 'pw' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', message: 'slow down' });
  });

  it('maps a status without a body, reports network failures, and calls onUnauthorized on 401', async () => {
    const onUnauthorized = vi.fn();
    const api = new ApiClient({ fetch: fakeFetch(401, undefined), onUnauthorized });
    await expect(api.getConversation('x')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    // me() is allowed to 401 quietly (that is how "not signed in" is detected).
    await expect(api.me()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    const offline = new ApiClient({ fetch: async () => { throw new TypeError('Failed to fetch'); } });
    await expect(offline.embedSnippet()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('accepts 204 with no body', async () => {
    const api = new ApiClient({ fetch: vi.fn<FetchLike>(async () => new Response(null, { status: 204 })) });
    await expect(api.logout()).resolves.toBeUndefined();
  });
});
