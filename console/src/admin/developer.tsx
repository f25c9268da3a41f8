/** API keys and webhooks: create (secret shown once), list, revoke/disable, delivery log with replay. */
import { useState } from 'preact/hooks';
import { API_SCOPES, WEBHOOK_EVENTS, type ApiScope } from '../../../protocol/adminConstants.js';
import type { AdminApi } from './adminApi.js';
import { ErrorLine, Section, ShownOnce, useAction, useLoad, when } from './common.js';

const SCOPE_HELP: Record<ApiScope, string> = {
  'conversations:read': 'read conversations and messages',
  'conversations:write': 'reply, assign, resolve, reopen',
  'visitors:read': 'read visitors',
  'agents:read': 'list agents',
  'reports:read': 'analytics and CSV',
  admin: 'everything in the admin area',
};

export function ApiKeys(props: { admin: AdminApi }) {
  const { admin } = props;
  const keys = useLoad(() => admin.apiKeys());
  const act = useAction();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiScope[]>(['conversations:read']);
  const [token, setToken] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    await act.run(async () => {
      const r = await admin.createApiKey({ name: name.trim(), scopes });
      setToken(r.token);
      setName('');
      keys.reload();
    });
  };
  return (
    <>
      <Section title="Create an API key" intro="Send it as Authorization: Bearer pk_… to the REST API (see /docs). It acts as you, limited to its scopes.">
        {token ? (
          <ShownOnce label="New API key" value={token} note="Copy it now: it is stored only as a hash and cannot be shown again." onDone={() => setToken(null)} />
        ) : (
          <form class="adm-stack" onSubmit={create}>
            <label class="field">
              <span>Name</span>
              <input id="key-name" required maxLength={100} placeholder="e.g. CRM sync" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <fieldset class="adm-scopes">
              <legend>Scopes</legend>
              {API_SCOPES.map((s) => (
                <label class="adm-check" key={s}>
                  <input type="checkbox" value={s} checked={scopes.includes(s)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
                  <code>{s}</code> <span class="muted">— {SCOPE_HELP[s]}</span>
                </label>
              ))}
            </fieldset>
            <div>
              <button class="btn btn-primary" type="submit" id="key-create" disabled={act.busy || !name.trim() || scopes.length === 0}>
                Create key
              </button>
            </div>
          </form>
        )}
        <ErrorLine error={act.error} />
      </Section>
      <Section title="Keys">
        <ErrorLine error={keys.error} />
        <table class="adm-table" id="keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Last used</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.items.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No API keys yet.
                </td>
              </tr>
            )}
            {keys.data?.items.map((k) => (
              <tr key={k.id} class={k.revokedAt ? 'adm-dim' : ''}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scopes.join(', ')}</td>
                <td>
                  {when(k.createdAt)}
                  {k.createdBy ? ` by ${k.createdBy.name}` : ''}
                </td>
                <td>{k.revokedAt ? `Revoked ${when(k.revokedAt)}` : when(k.lastUsedAt)}</td>
                <td class="adm-actions">
                  {!k.revokedAt && (
                    <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.revokeApiKey(k.id), keys.reload()))}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function Webhooks(props: { admin: AdminApi }) {
  const { admin } = props;
  const hooks = useLoad(() => admin.webhooks());
  const act = useAction();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['conversation.updated', 'message.created', 'security.incident']);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    await act.run(async () => {
      const r = await admin.createWebhook({ url: url.trim(), events: events as never });
      setSecret(r.secret);
      setUrl('');
      setOpen(r.webhook.id);
      hooks.reload();
    });
  };
  return (
    <>
      <Section title="Add a webhook" intro="Events are POSTed as JSON and signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256). Failed deliveries are retried with backoff for about 8 hours.">
        {secret ? (
          <ShownOnce label="Signing secret" value={secret} note="Verify every delivery with it. Shown once." onDone={() => setSecret(null)} />
        ) : (
          <form class="adm-stack" onSubmit={create}>
            <label class="field">
              <span>Receiver URL (https)</span>
              <input id="hook-url" type="url" required placeholder="https://example.com/parley-events" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
            </label>
            <fieldset class="adm-scopes">
              <legend>Events</legend>
              {WEBHOOK_EVENTS.map((ev) => (
                <label class="adm-check" key={ev}>
                  <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(e.currentTarget.checked ? [...events, ev] : events.filter((x) => x !== ev))} /> <code>{ev}</code>
                </label>
              ))}
            </fieldset>
            <div>
              <button class="btn btn-primary" type="submit" id="hook-create" disabled={act.busy || !url.trim() || events.length === 0}>
                Add webhook
              </button>
            </div>
          </form>
        )}
        <ErrorLine error={act.error} />
      </Section>
      <Section title="Webhooks">
        <ErrorLine error={hooks.error} />
        <table class="adm-table" id="hooks-table">
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>Created</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hooks.data?.items.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No webhooks yet.
                </td>
              </tr>
            )}
            {hooks.data?.items.map((h) => (
              <tr key={h.id} class={h.disabledAt ? 'adm-dim' : ''}>
                <td class="adm-ua">
                  <code>{h.url}</code>
                </td>
                <td>{h.events.join(', ')}</td>
                <td>{h.disabledAt ? `Disabled ${when(h.disabledAt)}` : when(h.createdAt)}</td>
                <td class="adm-actions">
                  <button type="button" class="btn btn-ghost btn-sm" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
                    Deliveries
                  </button>
                  {!h.disabledAt && (
                    <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.disableWebhook(h.id), hooks.reload()))}>
                      Disable
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {open && <Deliveries admin={admin} webhookId={open} />}
    </>
  );
}

function Deliveries(props: { admin: AdminApi; webhookId: string }) {
  const log = useLoad(() => props.admin.deliveries(props.webhookId), [props.webhookId]);
  const act = useAction();
  return (
    <Section title="Delivery log" intro="Newest first. Replay sends the same event again as a new delivery.">
      <div class="adm-row">
        <button type="button" class="btn btn-ghost btn-sm" onClick={log.reload}>
          Refresh
        </button>
      </div>
      <ErrorLine error={log.error ?? act.error} />
      <table class="adm-table" id="deliveries-table">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last answer</th>
            <th>Created</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {log.data?.items.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                Nothing delivered yet.
              </td>
            </tr>
          )}
          {log.data?.items.map((d) => (
            <tr key={d.id}>
              <td>
                <code>{d.eventType}</code>
              </td>
              <td>
                <span class={`adm-pill ${d.status === 'delivered' ? 'adm-ok' : d.status === 'failed' ? 'adm-bad' : ''}`}>{d.status}</span>
              </td>
              <td>{d.attempts}</td>
              <td class="adm-ua" title={d.lastError ?? ''}>
                {d.lastStatus ? `HTTP ${d.lastStatus}` : ''} {d.lastError ?? (d.status === 'delivered' ? 'OK' : '')}
                {d.nextAttemptAt && d.attempts > 0 ? ` — retry ${when(d.nextAttemptAt)}` : ''}
              </td>
              <td>{when(d.createdAt)}</td>
              <td class="adm-actions">
                <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await props.admin.replay(d.id), log.reload()))}>
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
