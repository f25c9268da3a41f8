/** API keys and webhooks: create (secret shown once), list, revoke/disable, delivery log with replay. */
import { useState } from 'preact/hooks';
import { API_SCOPES, WEBHOOK_EVENTS, type ApiScope } from '../../../protocol/adminConstants.js';
import type { AdminApi } from './adminApi.js';
import { AdminTable, ErrorLine, Section, ShownOnce, toggled, useAction, useLoad, when } from './common.js';
import { t } from '../i18n.js';
import { webhookUrlProblem, type WebhookUrlProblem } from '../../../protocol/webhookUrl.js';

const SCOPE_HELP = (s: ApiScope): string => t.admScopeHelp(s);

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
  // Why the button is disabled, said next to it (not only a greyed-out button).
  const keyWhy = !name.trim() ? t.admKeyNeedName : scopes.length === 0 ? t.admKeyNeedScope : null;
  return (
    <>
      <Section title={t.admKeyCreateTitle} intro={t.admKeyCreateIntro}>
        {token ? (
          <ShownOnce label={t.admKeyNew} value={token} note={t.admKeyNote} onDone={() => setToken(null)} />
        ) : (
          <form class="adm-stack" onSubmit={create}>
            <label class="field">
              <span>{t.admColName}</span>
              <input id="key-name" required maxLength={100} placeholder={t.admKeyNamePlaceholder} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <fieldset class="adm-scopes">
              <legend>{t.admColScopes}</legend>
              {API_SCOPES.map((s) => (
                <label class="adm-check" key={s}>
                  <input type="checkbox" value={s} checked={scopes.includes(s)} onChange={(e) => setScopes(toggled(scopes, s, e.currentTarget.checked))} />
                  <code>{s}</code> <span class="muted">— {SCOPE_HELP(s)}</span>
                </label>
              ))}
            </fieldset>
            <div>
              <button class="btn btn-primary" type="submit" id="key-create" disabled={act.busy || !!keyWhy} aria-describedby={keyWhy ? 'key-why' : undefined}>
                {t.admKeyCreate}
              </button>
              <WhyDisabled id="key-why" reason={keyWhy} />
            </div>
          </form>
        )}
        <ErrorLine error={act.error} />
      </Section>
      <Section title={t.admKeys}>
        <ErrorLine error={keys.error} />
        <AdminTable id="keys-table" columns={[t.admColName, t.admColKey, t.admColScopes, t.admColCreated, t.admColLastUsed]} actions empty={keys.data?.items.length === 0 && t.admNoKeys}>
          {keys.data?.items.map((k) => (
            <tr key={k.id} class={k.revokedAt ? 'adm-dim' : ''}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.scopes.join(', ')}</td>
              <td>
                {when(k.createdAt)}
                {k.createdBy ? t.admBy(k.createdBy.name) : ''}
              </td>
              <td>{k.revokedAt ? t.admRevokedAt(when(k.revokedAt)) : when(k.lastUsedAt)}</td>
              <td class="adm-actions">
                {!k.revokedAt && (
                  <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.revokeApiKey(k.id), keys.reload()))}>
                    {t.admRevoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
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
  const urlProblem = webhookUrlProblem(url.trim());
  const hookWhy = !url.trim() ? t.admHookNeedUrl : urlProblem ? t.admHookUrlProblem(urlProblem) : events.length === 0 ? t.admHookNeedEvent : null;
  return (
    <>
      <Section title={t.admHookAddTitle} intro={t.admHookIntro}>
        {secret ? (
          <ShownOnce label={t.admHookSecret} value={secret} note={t.admHookSecretNote} onDone={() => setSecret(null)} />
        ) : (
          <form class="adm-stack" onSubmit={create}>
            <label class="field">
              <span>{t.admHookUrl}</span>
              <input id="hook-url" type="url" required placeholder="https://example.com/parley-events" value={url} aria-invalid={url.trim() && urlProblem ? 'true' : undefined} aria-describedby="hook-why" onInput={(e) => setUrl(e.currentTarget.value)} />
            </label>
            <fieldset class="adm-scopes">
              <legend>{t.admColEvents}</legend>
              {WEBHOOK_EVENTS.map((ev) => (
                <label class="adm-check" key={ev}>
                  <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(toggled(events, ev, e.currentTarget.checked))} /> <code>{ev}</code>
                </label>
              ))}
            </fieldset>
            <div>
              <button class="btn btn-primary" type="submit" id="hook-create" disabled={act.busy || !!hookWhy} aria-describedby={hookWhy ? 'hook-why' : undefined}>
                {t.admHookAdd}
              </button>
              <WhyDisabled id="hook-why" reason={hookWhy} />
            </div>
          </form>
        )}
        <ErrorLine error={act.error} />
      </Section>
      <Section title={t.admSecWebhooks}>
        <ErrorLine error={hooks.error} />
        <AdminTable id="hooks-table" columns={[t.admColUrl, t.admColEvents, t.admColCreated]} actions empty={hooks.data?.items.length === 0 && t.admNoHooks}>
          {hooks.data?.items.map((h) => (
            <tr key={h.id} class={h.disabledAt ? 'adm-dim' : ''}>
              <td class="adm-ua">
                <code>{h.url}</code>
              </td>
              <td>{h.events.join(', ')}</td>
              <td>{h.disabledAt ? t.admDisabledAt(when(h.disabledAt)) : when(h.createdAt)}</td>
              <td class="adm-actions">
                <button type="button" class="btn btn-ghost btn-sm" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
                  {t.admDeliveries}
                </button>
                {!h.disabledAt && (
                  <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.disableWebhook(h.id), hooks.reload()))}>
                    {t.admDisable}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
      </Section>
      {open && <Deliveries admin={admin} webhookId={open} />}
    </>
  );
}

function Deliveries(props: { admin: AdminApi; webhookId: string }) {
  const log = useLoad(() => props.admin.deliveries(props.webhookId), [props.webhookId]);
  const act = useAction();
  return (
    <Section title={t.admDeliveryLog} intro={t.admDeliveryIntro}>
      <div class="adm-row">
        <button type="button" class="btn btn-ghost btn-sm" onClick={log.reload}>
          {t.admRefresh}
        </button>
      </div>
      <ErrorLine error={log.error ?? act.error} />
      <AdminTable id="deliveries-table" columns={[t.admColEvent, t.admColStatus, t.admColAttempts, t.admColLastAnswer, t.admColCreated]} actions empty={log.data?.items.length === 0 && t.admNothingDelivered}>
        {log.data?.items.map((d) => (
          <tr key={d.id}>
            <td>
              <code>{d.eventType}</code>
            </td>
            <td>
              <span class={`adm-pill ${d.status === 'delivered' ? 'adm-ok' : d.status === 'failed' ? 'adm-bad' : ''}`}>{t.admDeliveryStatus(d.status)}</span>
            </td>
            <td>{d.attempts}</td>
            <td class="adm-ua" title={d.lastError ?? ''}>
              {d.lastStatus ? `HTTP ${d.lastStatus}` : ''} {d.lastError ?? (d.status === 'delivered' ? t.admDeliveryOk : '')}
              {d.nextAttemptAt && d.attempts > 0 ? t.admRetryAt(when(d.nextAttemptAt)) : ''}
            </td>
            <td>{when(d.createdAt)}</td>
            <td class="adm-actions">
              <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await props.admin.replay(d.id), log.reload()))}>
                {t.admReplay}
              </button>
            </td>
          </tr>
        ))}
      </AdminTable>
    </Section>
  );
}

/** The reason a button is disabled, read with it (aria-describedby) and shown beside it. */
function WhyDisabled(props: { id: string; reason: string | null }) {
  return props.reason ? (
    <p id={props.id} class="muted adm-why">
      {props.reason}
    </p>
  ) : null;
}
