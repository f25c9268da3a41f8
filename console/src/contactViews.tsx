/**
 * Contact-centre pieces of the console (issue 5): presence, notifications, transfer, the visitor's
 * identity, pages and history, and the library (knowledge base and canned responses). Text only,
 * never HTML.
 */
import { PageContextCard } from './pageContextCard.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentPresenceView, ArticleView, CannedResponseView, TeamView, VisitorContextView } from '../../protocol/contactCentre.js';
import type { ConversationView } from '../../protocol/records.js';
import type { ContactApi } from './contactApi.js';
import { errorText } from './app.js';
import { locale, t } from './i18n.js';
import { CloseIcon } from './icons.js';
import { transferChoices, type TransferOption } from './transfer.js';

const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

// ---------------------------------------------------------------- presence

export function PresenceToggle(props: { status: 'online' | 'away'; onChange: (s: 'online' | 'away') => void }) {
  return (
    <div class="segmented presence-toggle" role="group" aria-label={t.presence}>
      {(['online', 'away'] as const).map((s) => (
        <button type="button" key={s} class={`segment presence-${s}`} aria-pressed={props.status === s} onClick={() => props.onChange(s)}>
          <span class={`presence-dot is-${s}`} aria-hidden="true" />
          {s === 'online' ? t.presenceOnline : t.presenceAway}
        </button>
      ))}
    </div>
  );
}

// ---------------------------------------------------------------- transfer

export function TransferControl(props: {
  conversation: ConversationView;
  presence: AgentPresenceView[];
  teams: TeamView[];
  busy: boolean;
  onTransfer: (to: { agentId: string } | { teamId: string }) => void;
}) {
  // A choice, then a button: arrowing through the list (keyboard) never moves the conversation.
  const [choice, setChoice] = useState('');
  const r = transferChoices(props.conversation, props.presence, props.teams, t);
  const option = (o: TransferOption) => (
    <option key={o.value} value={o.value} disabled={o.disabled}>
      {o.label}
    </option>
  );
  const go = () => {
    if (choice.startsWith('a:')) props.onTransfer({ agentId: choice.slice(2) });
    else if (choice.startsWith('t:')) props.onTransfer({ teamId: choice.slice(2) });
    setChoice('');
  };
  return (
    <div class="transfer-control">
      <label class="visually-hidden" for="transfer-select">
        {t.transferTo}
      </label>
      <select id="transfer-select" class="transfer" disabled={props.busy} value={choice} aria-describedby={r.noTeamsHint ? 'transfer-hint' : undefined} onChange={(e) => setChoice(e.currentTarget.value)}>
        <option value="">{t.transferTo}</option>
        {r.teams.length > 0 && <optgroup label={t.transferTeams}>{r.teams.map(option)}</optgroup>}
        {r.agents.length > 0 && <optgroup label={t.transferAgents}>{r.agents.map(option)}</optgroup>}
        {r.offline.length > 0 && <optgroup label={t.transferOffline}>{r.offline.map(option)}</optgroup>}
      </select>
      <button type="button" class="btn btn-secondary" disabled={props.busy || !choice} onClick={go}>
        {t.transfer}
      </button>
      {r.noTeamsHint && (
        <span id="transfer-hint" class="transfer-hint muted">
          {t.transferNoTeams}
        </span>
      )}
    </div>
  );
}

// ---------------------------------------------------------------- visitor context

export function ContextExtras(props: { contact: ContactApi; conversation: ConversationView; onOpen: (id: string) => void }) {
  const c = props.conversation;
  const [ctx, setCtx] = useState<VisitorContextView | null>(null);
  useEffect(() => {
    let live = true;
    props.contact
      .context(c.id)
      .then((v) => live && setCtx(v))
      .catch(() => live && setCtx(null));
    return () => {
      live = false;
    };
    // Refetch when the conversation changes state (resolved → rated, reassigned…).
  }, [c.id, c.status, c.updatedAt]);
  return (
    <>
      <section class="context-card" aria-labelledby="ctx-identity">
        <h3 class="section-title" id="ctx-identity">
          {t.identity}
        </h3>
        {ctx?.identity ? (
          <p class="identity">
            <code>{ctx.identity.userId}</code>{' '}
            <span class={`pill ${ctx.identity.verified ? 'pill-verified' : 'pill-unverified'}`} title={ctx.identity.verified ? t.verifiedHint : t.unverifiedHint}>
              {ctx.identity.verified ? t.verified : t.unverified}
            </span>
          </p>
        ) : (
          <p class="muted">{t.notProvided}</p>
        )}
        <dl>
          <div class="kv">
            <dt>{t.team}</dt>
            <dd>{c.team?.name ?? <span class="muted">{t.noTeam}</span>}</dd>
          </div>
          {c.channel === 'offline' && (
            <div class="kv">
              <dt>{t.status}</dt>
              <dd>{t.offlineMessage}</dd>
            </div>
          )}
          {ctx?.rating && (
            <div class="kv">
              <dt>{t.rating}</dt>
              <dd>
                <span aria-label={t.ratingValue(ctx.rating.rating)}>{'★'.repeat(ctx.rating.rating) + '☆'.repeat(5 - ctx.rating.rating)}</span>
                {ctx.rating.comment && <q class="rating-comment">{ctx.rating.comment}</q>}
              </dd>
            </div>
          )}
        </dl>
      </section>
      <PageContextCard context={ctx?.pageContext} />
      <section class="context-card" aria-labelledby="ctx-pages">
        <h3 class="section-title" id="ctx-pages">
          {t.pagesSeen}
        </h3>
        {ctx && ctx.pagesSeen.length > 0 ? (
          <ol class="pages">
            {[...ctx.pagesSeen].reverse().map((p) => (
              <li key={p.at + p.url}>
                <span class="page-url" title={p.url}>
                  {p.url.replace(/^https?:\/\//, '')}
                </span>
                <time class="muted" dateTime={p.at}>
                  {when(p.at)}
                </time>
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">—</p>
        )}
      </section>
      <section class="context-card" aria-labelledby="ctx-history">
        <h3 class="section-title" id="ctx-history">
          {t.history}
        </h3>
        {ctx && ctx.history.length > 0 ? (
          <ul class="history">
            {ctx.history.map((h) => (
              <li key={h.id}>
                <button type="button" class="link" onClick={() => props.onOpen(h.id)}>
                  {when(h.createdAt)} · {h.status === 'open' ? t.stateOpen : t.stateResolved}
                </button>
                {h.lastMessage && <span class="muted history-preview">{h.lastMessage}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t.noHistory}</p>
        )}
      </section>
    </>
  );
}

// ---------------------------------------------------------------- library: knowledge base and canned responses

export function LibraryPanel(props: { contact: ContactApi; isAdmin: boolean; canEditCanned: boolean; onClose: () => void; onCannedChanged: (list: CannedResponseView[]) => void }) {
  const { contact } = props;
  const [articles, setArticles] = useState<ArticleView[]>([]);
  const [canned, setCanned] = useState<CannedResponseView[]>([]);
  const [bot, setBot] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const closeBtn = useRef<HTMLButtonElement>(null);
  const fail = (err: unknown) => setError(errorText(err));

  const reload = () => {
    contact.articles().then((r) => setArticles(r.items), fail);
    contact.canned().then((r) => {
      setCanned(r.items);
      props.onCannedChanged(r.items);
    }, fail);
    if (props.isAdmin) contact.settings().then((s) => setBot(s.botEnabled), fail);
  };
  useEffect(() => {
    closeBtn.current?.focus();
    reload();
  }, []);

  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [shortcut, setShortcut] = useState('');
  const [cTitle, setCTitle] = useState('');
  const [cBody, setCBody] = useState('');

  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog library" role="dialog" aria-modal="true" aria-labelledby="library-title" onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
        <header class="dialog-head">
          <h2 id="library-title">{t.libraryTitle}</h2>
          <button type="button" class="btn btn-icon" ref={closeBtn} onClick={props.onClose} aria-label={t.closePanel}>
            <CloseIcon />
          </button>
        </header>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <div class="library-cols">
          <section aria-labelledby="kb-title">
            <h3 id="kb-title">{t.kbArticles}</h3>
            {props.isAdmin && (
              <label class="check">
                <input type="checkbox" checked={bot} onChange={(e) => contact.saveSettings({ botEnabled: e.currentTarget.checked }).then((s) => setBot(s.botEnabled), fail)} />
                {t.botEnabled}
              </label>
            )}
            <ul class="lib-list">
              {articles.length === 0 && <li class="muted">{t.nothingYet}</li>}
              {articles.map((a) => (
                <li key={a.id}>
                  <strong>{a.title}</strong>
                  <p class="muted">{a.body.slice(0, 160)}</p>
                  {props.isAdmin && (
                    <button type="button" class="btn btn-ghost btn-sm" aria-label={t.deleteNamed(a.title)} onClick={() => contact.deleteArticle(a.id).then(reload, fail)}>
                      {t.delete}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {props.isAdmin && (
              <form
                class="lib-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  contact.saveArticle(null, { title, body }).then(() => {
                    setTitle('');
                    setBody('');
                    reload();
                  }, fail);
                }}
              >
                <label class="field">
                  <span>{t.kbTitle}</span>
                  <input id="kb-new-title" value={title} maxLength={200} required onInput={(e) => setTitle(e.currentTarget.value)} />
                </label>
                <label class="field">
                  <span>{t.kbBody}</span>
                  <textarea id="kb-new-body" value={body} rows={3} required onInput={(e) => setBody(e.currentTarget.value)} />
                </label>
                <button type="submit" class="btn btn-primary" disabled={!title.trim() || !body.trim()}>
                  {t.kbAdd}
                </button>
              </form>
            )}
          </section>
          <section aria-labelledby="canned-title">
            <h3 id="canned-title">{t.cannedResponses}</h3>
            <ul class="lib-list">
              {canned.length === 0 && <li class="muted">{t.nothingYet}</li>}
              {canned.map((c) => (
                <li key={c.id}>
                  <code>/{c.shortcut}</code> <strong>{c.title}</strong>
                  <p class="muted">{c.body.slice(0, 160)}</p>
                  {props.canEditCanned && (
                    <button type="button" class="btn btn-ghost btn-sm" aria-label={t.deleteNamed(`/${c.shortcut}`)} onClick={() => contact.deleteCanned(c.id).then(reload, fail)}>
                      {t.delete}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {props.canEditCanned && (
              <form
                class="lib-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  contact.saveCanned(null, { shortcut: shortcut.replace(/^\//, '').toLowerCase(), title: cTitle, body: cBody }).then(() => {
                    setShortcut('');
                    setCTitle('');
                    setCBody('');
                    reload();
                  }, fail);
                }}
              >
                <label class="field">
                  <span>{t.cannedShortcut}</span>
                  <input id="canned-new-shortcut" value={shortcut} maxLength={33} pattern="/?[a-z0-9][a-z0-9_\-]*" required onInput={(e) => setShortcut(e.currentTarget.value)} />
                </label>
                <label class="field">
                  <span>{t.cannedTitle}</span>
                  <input id="canned-new-title" value={cTitle} maxLength={120} required onInput={(e) => setCTitle(e.currentTarget.value)} />
                </label>
                <label class="field">
                  <span>{t.cannedBody}</span>
                  <textarea id="canned-new-body" value={cBody} rows={3} required onInput={(e) => setCBody(e.currentTarget.value)} />
                </label>
                <button type="submit" class="btn btn-primary" disabled={!shortcut.trim() || !cTitle.trim() || !cBody.trim()}>
                  {t.cannedAdd}
                </button>
              </form>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
