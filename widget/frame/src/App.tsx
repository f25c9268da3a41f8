import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { WidgetConfig } from '../../../protocol/http.js';
import type { WidgetAvailability } from '../../../protocol/contactCentre.js';
import { LIMITS } from '../../../protocol/limits.js';
import type { MessageView } from '../../../protocol/records.js';
import type { ChatClient, ChatState, Outgoing } from './chat.js';
import { isFullscreen } from './embed.js';
import type { HostChannel } from './hostChannel.js';
import { lang, setLanguage, t } from './i18n.js';
import { AlertIcon, ChatIcon, CheckIcon, ClockIcon, CloseIcon, LockIcon, SendIcon } from './icons.js';
import { applyBrand, safeColor } from './theme.js';

interface AppProps {
  widgetKey: string;
  /** The loader's port (protocol/embed.ts); null when the frame is opened on its own, not embedded. */
  link: HostChannel | null;
  client: ChatClient;
  loadConfig: () => Promise<WidgetConfig>;
}

let timeFormat: Intl.DateTimeFormat | null = null;
const formatTime = (iso: string) => {
  const d = new Date(iso);
  // Made on first use: by then the tenant's language (setLanguage) is known.
  if (timeFormat?.resolvedOptions().locale.slice(0, 2) !== lang) timeFormat = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
  return Number.isNaN(d.getTime()) ? '' : timeFormat.format(d);
};

function useChatState(client: ChatClient): ChatState {
  const [state, setState] = useState(client.getState());
  useEffect(() => client.subscribe(setState), [client]);
  return state;
}

function openFlag(key: string): { get(): boolean; set(open: boolean): void } {
  const name = `parley:${key}:open`;
  return {
    get: () => {
      try {
        return sessionStorage.getItem(name) === '1';
      } catch {
        return false;
      }
    },
    set: (open) => {
      try {
        sessionStorage.setItem(name, open ? '1' : '0');
      } catch {
        /* storage blocked */
      }
    },
  };
}

export function App({ widgetKey, link, client, loadConfig }: AppProps) {
  const [config, setConfig] = useState<WidgetConfig | null>(null);
  const [availability, setAvailability] = useState<WidgetAvailability | null>(null);
  const [open, setOpen] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const chat = useChatState(client);
  const launcherRef = useRef<HTMLButtonElement>(null);
  const focusLauncher = useRef(false);
  const flag = useRef(openFlag(widgetKey)).current;

  useEffect(() => {
    let live = true;
    loadConfig()
      .then((c) => {
        if (!live) return;
        applyBrand(safeColor(c.brandColor));
        // The tenant's language and redaction patterns, before anything is shown or sent.
        setLanguage(c.language);
        client.setRedactionPatterns(c.redactionPatterns);
        setConfig(c);
        void client.availability().then((a) => live && setAvailability(a));
        // Embedded, only the loader opens the chat (on the shopper's own gesture), never the frame.
        if (link ? link.open : flag.get()) setOpen(true);
      })
      .catch(() => {
        /* unknown key or server down: show nothing */
      });
    void client.resume();
    return () => {
      live = false;
    };
  }, []);

  const position: 'left' | 'right' = config?.position === 'left' ? 'left' : 'right';

  useEffect(() => link?.subscribe(setOpen), [link]);
  useEffect(() => link?.reportUnread(chat.unread), [chat.unread]);

  useEffect(() => {
    if (!config) return;
    client.setOpen(open);
    flag.set(open);
    if (!open && focusLauncher.current) {
      focusLauncher.current = false;
      launcherRef.current?.focus();
    }
  }, [config, open, position]);

  useEffect(() => {
    const update = () => setFullscreen(open && isFullscreen());
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [open]);

  if (!config) return null;

  const close = () => {
    focusLauncher.current = true;
    setOpen(false);
    link?.requestClose();
  };

  return (
    <div class={`widget pos-${position}${fullscreen ? ' fullscreen' : ''}`}>
      {open ? (
        <ChatWindow config={config} availability={availability} chat={chat} client={client} onClose={close} />
      ) : link ? null : (
        <Launcher buttonRef={launcherRef} unread={chat.unread} onOpen={() => setOpen(true)} />
      )}
    </div>
  );
}

// ---------- launcher ----------

function Launcher({ unread, onOpen, buttonRef }: { unread: number; onOpen: () => void; buttonRef: { current: HTMLButtonElement | null } }) {
  return (
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={t.openChat}
      aria-expanded="false"
      aria-controls="parley-chat"
      aria-describedby={unread ? 'parley-unread' : undefined}
      onClick={onOpen}
    >
      <ChatIcon />
      {unread > 0 && (
        <span class="badge" id="parley-unread">
          <span aria-hidden="true">{unread > 9 ? '9+' : String(unread)}</span>
          <span class="sr-only">{t.unread(unread)}</span>
        </span>
      )}
    </button>
  );
}

// ---------- chat window ----------

function ChatWindow({
  config,
  availability,
  chat,
  client,
  onClose,
}: {
  config: WidgetConfig;
  availability: WidgetAvailability | null;
  chat: ChatState;
  client: ChatClient;
  onClose: () => void;
}) {
  const showForm = (chat.session === 'none' && !client.hasStoredToken()) || chat.session === 'failed';
  const bodyRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [leaveMessage, setLeaveMessage] = useState(false);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
  };

  // Keep the newest message in view unless the visitor scrolled up to read.
  const count = chat.messages.length + chat.outbox.length + (chat.agentTyping ? 1 : 0);
  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, showForm]);
  const onScroll = () => {
    const el = bodyRef.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  let banner: string | null = null;
  if (chat.unavailable) banner = t.unavailable;
  else if (chat.session === 'active' && chat.connection !== 'open') banner = chat.connectedOnce ? t.reconnecting : t.connecting;

  return (
    <section id="parley-chat" class="window" role="dialog" aria-labelledby="parley-title" onKeyDown={onKeyDown}>
      <header class="header">
        <div class="avatar avatar-brand" aria-hidden="true">
          {initial(config.tenantName)}
        </div>
        <div class="header-text">
          <h1 id="parley-title">{config.tenantName}</h1>
          <p class="status">
            <span class={`dot${(availability?.live ?? config.agentsOnline) ? ' on' : ''}`} aria-hidden="true" />
            {(availability?.live ?? config.agentsOnline) ? t.online : t.away}
          </p>
        </div>
        <button type="button" class="icon-button" aria-label={t.closeChat} onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      {banner && (
        <div class={`banner${chat.unavailable ? ' banner-error' : ''}`} role="status">
          {!chat.unavailable && <span class="spinner" aria-hidden="true" />}
          {banner}
        </div>
      )}
      <div class="body" ref={bodyRef} onScroll={onScroll}>
        <div class="group agent">
          <div class="avatar avatar-brand small" aria-hidden="true">
            {initial(config.tenantName)}
          </div>
          <div class="group-content">
            <div class="author">{config.tenantName}</div>
            <div class="bubble">{config.greeting}</div>
          </div>
        </div>
        {showForm && availability && !availability.bot && (!availability.withinHours || leaveMessage) ? (
          <OfflineForm client={client} />
        ) : showForm ? (
          <>
            {availability && !availability.live && !availability.bot && (
              <div class="offer" role="note">
                <p>{t.offlineHint}</p>
                <button type="button" class="secondary" onClick={() => setLeaveMessage(true)}>
                  {t.offlineTitle}
                </button>
              </div>
            )}
            <PreChatForm client={client} failed={chat.session === 'failed'} fields={prechatFieldsOf(config)} />
          </>
        ) : (
          <MessageLog chat={chat} client={client} />
        )}
      </div>
      {!showForm && <Composer chat={chat} client={client} />}
    </section>
  );
}

function initial(name: string): string {
  return (name.trim()[0] ?? '?').toUpperCase();
}

// ---------- pre-chat form ----------

type PrechatFieldName = 'name' | 'email' | 'phone' | 'orderNumber';
type PrechatSpec = { field: PrechatFieldName; required: boolean };
const DEFAULT_PRECHAT: PrechatSpec[] = [
  { field: 'name', required: false },
  { field: 'email', required: false },
];
const PRECHAT_INPUT: Record<PrechatFieldName, { type: string; autocomplete: string; max: number; inputMode?: 'email' | 'tel' }> = {
  name: { type: 'text', autocomplete: 'name', max: 100 },
  email: { type: 'email', autocomplete: 'email', max: 254, inputMode: 'email' },
  phone: { type: 'tel', autocomplete: 'tel', max: 40, inputMode: 'tel' },
  orderNumber: { type: 'text', autocomplete: 'off', max: 64 },
};

/** The admin's pre-chat fields (known ones only, each once); the defaults when the server sent none. */
export function prechatFieldsOf(config: Pick<WidgetConfig, 'prechatFields'>): PrechatSpec[] {
  if (!Array.isArray(config.prechatFields)) return DEFAULT_PRECHAT;
  const seen = new Set<string>();
  return config.prechatFields.filter((f): f is PrechatSpec => f.field in PRECHAT_INPUT && !seen.has(f.field) && !!seen.add(f.field));
}

function PreChatForm({ client, failed, fields }: { client: ChatClient; failed: boolean; fields: PrechatSpec[] }) {
  const [values, setValues] = useState<Partial<Record<PrechatFieldName, string>>>({});
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<PrechatFieldName, string>>>({});
  const firstRef = useRef<HTMLInputElement>(null);
  const label = (f: PrechatFieldName) => (f === 'name' ? t.name : f === 'email' ? t.email : f === 'phone' ? t.phone : t.orderNumber);
  const placeholder = (f: PrechatFieldName) => (f === 'name' ? t.namePlaceholder : f === 'email' ? t.emailPlaceholder : '');

  useEffect(() => firstRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const v = (f: PrechatFieldName) => (values[f] ?? '').trim();
    const errs: Partial<Record<PrechatFieldName, string>> = {};
    for (const { field, required } of fields) {
      if (required && !v(field)) errs[field] = t.fieldRequired;
      else if (field === 'email' && v('email') && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v('email'))) errs.email = t.invalidEmail;
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    const ok = await client.start({ name: v('name'), email: v('email') });
    // Phone and order number have no place in the session: they reach the agent as the first message (redacted like any other).
    const extra = fields.filter((f) => (f.field === 'phone' || f.field === 'orderNumber') && v(f.field)).map((f) => `${label(f.field)}: ${v(f.field)}`);
    if (ok && extra.length) client.send(extra.join('\n'));
    setBusy(false);
  };

  return (
    <form class="card prechat" onSubmit={submit} noValidate aria-labelledby="prechat-title">
      <h2 id="prechat-title">{t.preChatTitle}</h2>
      {fields.length > 0 && <p class="hint">{fields.some((f) => f.required) ? t.preChatHintRequired : t.preChatHintOptional}</p>}
      {fields.map(({ field, required }, i) => {
        const spec = PRECHAT_INPUT[field];
        const id = `pc-${field}`;
        return (
          <Field key={field} id={id} label={label(field)} required={required} error={errors[field]}>
            <input
              ref={i === 0 ? firstRef : undefined}
              id={id}
              name={field}
              type={spec.type}
              autocomplete={spec.autocomplete}
              inputMode={spec.inputMode}
              maxLength={spec.max}
              required={required}
              aria-required={required ? 'true' : undefined}
              placeholder={placeholder(field)}
              value={values[field] ?? ''}
              aria-invalid={errors[field] ? 'true' : undefined}
              aria-describedby={errors[field] ? `${id}-error` : undefined}
              onInput={(e) => {
                setValues({ ...values, [field]: e.currentTarget.value });
                if (errors[field]) setErrors({ ...errors, [field]: undefined });
              }}
            />
          </Field>
        );
      })}
      {failed && (
        <p class="form-error" role="alert">
          {t.sessionFailed}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.starting : t.startChat}
      </button>
    </form>
  );
}

function Field({ id, label, error, required, children }: { id: string; label: string; error?: string; required?: boolean; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>
        {label} <span class="optional">({required ? t.required : t.optional})</span>
      </label>
      {children}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

// ---------- message log ----------

interface Entry {
  key: string;
  kind: 'visitor' | 'agent' | 'system';
  name: string;
  body: string;
  time: string;
  status: 'sent' | 'sending' | 'failed' | 'delivered' | 'read';
  clientId: string;
  attachment?: MessageView['attachment'];
}

function toEntries(messages: readonly MessageView[], outbox: readonly Outgoing[], read = 0, delivered = 0, currentId: string | null = null): Entry[] {
  const entries: Entry[] = messages.map((m) => {
    // The knowledge-base bot speaks like an agent; other system messages (transfers) are notices.
    const bot = m.author.kind === 'system' && m.author.id === 'bot';
    const current = m.conversationId === currentId;
    return {
      key: m.id,
      kind: bot ? 'agent' : m.author.kind,
      name: m.author.kind === 'visitor' ? t.you : bot ? t.bot : m.author.name,
      body: m.body,
      time: formatTime(m.createdAt),
      status: current && m.seq <= read ? 'read' : current && m.seq <= delivered ? 'delivered' : 'sent',
      clientId: m.clientId,
      attachment: m.attachment,
    };
  });
  for (const o of outbox)
    entries.push({ key: `out:${o.clientId}`, kind: 'visitor', name: t.you, body: o.body, time: formatTime(o.createdAt), status: o.state, clientId: o.clientId });
  return entries;
}

/** Consecutive entries of the same author form one group (one avatar and name). */
function groupEntries(entries: Entry[]): Entry[][] {
  const groups: Entry[][] = [];
  for (const e of entries) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    if (head && head.kind === e.kind && head.name === e.name && e.kind !== 'system') last.push(e);
    else groups.push([e]);
  }
  return groups;
}

function MessageLog({ chat, client }: { chat: ChatState; client: ChatClient }) {
  const groups = groupEntries(toEntries(chat.messages, chat.outbox, chat.agentRead, chat.agentDelivered, chat.conversation?.id ?? null));
  const conv = chat.conversation;
  return (
    <>
      <div class="log" role="log" aria-live="polite" aria-label={t.messages}>
        {groups.map((g) => {
          const head = g[0]!;
          if (head.kind === 'system')
            return (
              <p class="system" key={head.key}>
                {head.body}
              </p>
            );
          const mine = head.kind === 'visitor';
          return (
            <div class={`group ${mine ? 'mine' : 'agent'}`} key={head.key}>
              {!mine && (
                <div class="avatar small" aria-hidden="true">
                  {initial(head.name)}
                </div>
              )}
              <div class="group-content">
                {!mine && <div class="author">{head.name}</div>}
                {g.map((e) => (
                  <MessageBubble key={e.key} entry={e} onRetry={() => client.retry(e.clientId)} />
                ))}
              </div>
            </div>
          );
        })}
        {conv?.status === 'resolved' && <p class="system">{t.resolved}</p>}
      </div>
      {conv?.status === 'open' && !conv.assignee && chat.queue && (
        <p class="queue" role="status">
          <span class="spinner" aria-hidden="true" />
          {t.queuePosition(chat.queue.position)} {chat.queue.etaSeconds !== null && t.queueWait(Math.ceil(chat.queue.etaSeconds / 60))}
        </p>
      )}
      {conv?.status === 'open' && conv.botActive && (
        <button type="button" class="secondary talk" onClick={() => client.handoff()}>
          {t.talkToPerson}
        </button>
      )}
      {conv?.status === 'resolved' && <AfterChat key={conv.id} client={client} />}
      <div class="typing-slot" role="status">
        {chat.agentTyping && (
          <div class="typing">
            <span class="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {t.agentTyping}
          </div>
        )}
      </div>
    </>
  );
}

function MessageBubble({ entry, onRetry }: { entry: Entry; onRetry: () => void }) {
  const mine = entry.kind === 'visitor';
  return (
    <div class={`message${entry.status === 'failed' ? ' failed' : ''}${entry.status === 'sending' ? ' sending' : ''}`}>
      <div class="bubble">
        <span class="sr-only">{entry.name}: </span>
        {entry.attachment ? <AttachmentLink a={entry.attachment} /> : entry.body}
      </div>
      <div class="meta">
        {entry.time && <time>{entry.time}</time>}
        {mine && (entry.status === 'sent' || entry.status === 'delivered' || entry.status === 'read') && (
          <span class={`state state-${entry.status}`}>
            <CheckIcon />
            {entry.status === 'read' ? t.read : entry.status === 'delivered' ? t.delivered : t.sent}
          </span>
        )}
        {mine && entry.status === 'sending' && (
          <span class="state">
            <ClockIcon />
            {t.sending}
          </span>
        )}
        {mine && entry.status === 'failed' && (
          <span class="state state-failed">
            <AlertIcon />
            {t.failed}
            <button type="button" class="link-button" onClick={onRetry}>
              {t.retry}
            </button>
          </span>
        )}
      </div>
    </div>
  );
}

// ---------- composer ----------

function Composer({ chat, client }: { chat: ChatState; client: ChatClient }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => ref.current?.focus(), []);

  // Grow with the text up to a few lines (CSSOM, allowed under style-src 'self'). Also on resize:
  // the frame may still be its closed size when the window first renders.
  const autosize = () => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  };
  useLayoutEffect(autosize, [text]);
  useEffect(() => {
    window.addEventListener('resize', autosize);
    return () => window.removeEventListener('resize', autosize);
  }, []);

  const submit = () => {
    const r = client.send(text);
    if (r.ok) {
      setText('');
      setError(null);
    } else if (r.reason === 'tooLong') setError(t.tooLong(LIMITS.maxMessageChars));
  };

  const disabled = chat.session !== 'active' || chat.unavailable;

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {chat.redactedNote && (
        <p class="note" role="status">
          <LockIcon />
          {t.redactedNote}
        </p>
      )}
      {error && (
        <p class="note note-error" role="alert">
          {error}
        </p>
      )}
      <div class="composer-row">
        <label for="parley-message" class="sr-only">
          {t.message}
        </label>
        <textarea
          ref={ref}
          id="parley-message"
          name="message"
          rows={1}
          maxLength={LIMITS.maxMessageChars}
          placeholder={t.messagePlaceholder}
          aria-describedby="parley-send-hint"
          value={text}
          disabled={disabled}
          onInput={(e) => {
            setText(e.currentTarget.value);
            if (e.currentTarget.value.trim()) client.typing();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <input
          ref={fileRef}
          type="file"
          class="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          accept="image/png,image/jpeg,image/gif,image/webp,application/pdf"
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (!f) return;
            const r = await client.sendFile(f);
            setError(r === 'ok' ? null : r === 'tooBig' ? t.fileTooBig : t.fileFailed);
          }}
        />
        <button type="button" class="attach" aria-label={t.attach} title={t.attach} disabled={disabled || !chat.conversation} onClick={() => fileRef.current?.click()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
            <path d="M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5" />
          </svg>
        </button>
        <span id="parley-send-hint" class="sr-only">
          {t.sendHint}
        </span>
        <button type="submit" class="send" aria-label={t.send} title={t.send} disabled={disabled || !text.trim()}>
          <SendIcon />
        </button>
      </div>
    </form>
  );
}

// ---------- leave a message (offline) ----------

function OfflineForm({ client }: { client: ChatClient }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  useEffect(() => emailRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setError(t.emailRequired);
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    const ok = await client.leaveMessage({ name, email, body });
    setBusy(false);
    if (!ok) setError(t.offlineFailed);
  };

  return (
    <form class="card prechat" onSubmit={submit} noValidate aria-labelledby="offline-title">
      <h2 id="offline-title">{t.offlineTitle}</h2>
      <p class="hint">{t.offlineHint}</p>
      <Field id="off-name" label={t.name}>
        <input id="off-name" type="text" autocomplete="name" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <div class="field">
        <label for="off-email">{t.email}</label>
        <input ref={emailRef} id="off-email" type="email" autocomplete="email" required aria-required="true" maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="off-body">{t.yourMessage}</label>
        <textarea id="off-body" required aria-required="true" rows={4} maxLength={LIMITS.maxMessageChars} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || !body.trim()}>
        {t.sendMessage}
      </button>
    </form>
  );
}

// ---------- after the chat: rating and transcript ----------

function AfterChat({ client }: { client: ChatClient }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [rated, setRated] = useState(false);
  const [email, setEmail] = useState('');
  const [mail, setMail] = useState<'idle' | 'sent' | 'failed'>('idle');

  const rate = async (e: Event) => {
    e.preventDefault();
    if (rating && (await client.rate(rating, comment))) setRated(true);
  };
  const transcript = async (e: Event) => {
    e.preventDefault();
    setMail((await client.emailTranscript(email)) ? 'sent' : 'failed');
  };

  return (
    <div class="after">
      {rated ? (
        <p class="card thanks" role="status">
          {t.ratingThanks}
        </p>
      ) : (
        <form class="card rating" onSubmit={rate} aria-labelledby="rate-title">
          <h2 id="rate-title">{t.rateTitle}</h2>
          <fieldset class="stars">
            <legend class="sr-only">{t.rateLegend}</legend>
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n} class={n <= rating ? 'on' : ''}>
                <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} class="sr-only" />
                <span aria-hidden="true">★</span>
                <span class="sr-only">{t.stars(n)}</span>
              </label>
            ))}
          </fieldset>
          <label for="rate-comment" class="sr-only">
            {t.comment}
          </label>
          <textarea id="rate-comment" rows={2} maxLength={2000} placeholder={t.comment} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="submit" class="primary" disabled={!rating}>
            {t.submitRating}
          </button>
        </form>
      )}
      <form class="card transcript" onSubmit={transcript} aria-labelledby="transcript-title">
        <h2 id="transcript-title">{t.transcriptTitle}</h2>
        <label for="tr-email" class="sr-only">
          {t.email}
        </label>
        <input id="tr-email" type="email" autocomplete="email" placeholder={t.emailPlaceholder} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <button type="submit" class="secondary">
          {t.emailTranscript}
        </button>
        {mail !== 'idle' && (
          <p role="status" class={mail === 'failed' ? 'form-error' : 'hint'}>
            {mail === 'sent' ? t.transcriptSent : t.transcriptFailed}
          </p>
        )}
      </form>
    </div>
  );
}

// ---------- attachments ----------

function AttachmentLink({ a }: { a: NonNullable<MessageView['attachment']> }) {
  const kb = Math.max(1, Math.round(a.size / 1024));
  return a.type.startsWith('image/') ? (
    // Downloads, not new tabs: the frame's sandbox has no allow-popups (docs/SECURITY.md).
    <a href={a.url} download={a.name} aria-label={t.openFile(a.name)} class="file-preview">
      <img src={a.url} alt={a.name} loading="lazy" />
    </a>
  ) : (
    <a href={a.url} class="file-link" download={a.name}>
      {a.name} ({kb} KB)
    </a>
  );
}
