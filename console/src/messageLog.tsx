/**
 * A conversation's messages, grouped by day and author. Message bodies are JSX text children
 * only, never HTML.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Avatar } from './avatar.js';
import { clockTime, fullDateTime } from './format.js';
import { locale, t } from './i18n.js';
import { BotIcon, CheckIcon, LockIcon } from './icons.js';
import { messageKind } from '../../protocol/messageKind.js';
import type { ChatMessage, Thread } from './state.js';

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function MessageLog(props: { thread: Thread | undefined; meId: string; visitorName: string; visitorId: string; visitorRead?: number; visitorDelivered?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const messages = props.thread?.messages ?? [];
  const last = messages[messages.length - 1];

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const own = last?.author.kind === 'agent' && last.author.id === props.meId && last.delivery === 'sending';
    if (stick.current || own) el.scrollTop = el.scrollHeight;
  }, [messages.length, last?.id]);

  const onScroll = () => {
    const el = ref.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const rows: ComponentChildren[] = [];
  let prev: ChatMessage | undefined;
  for (const m of messages) {
    if (!prev || dayKey(prev.createdAt) !== dayKey(m.createdAt)) {
      rows.push(
        <div class="day-sep" key={`d-${m.id}`} role="separator">
          <span>{new Intl.DateTimeFormat(locale, { dateStyle: 'full' }).format(new Date(m.createdAt))}</span>
        </div>,
      );
    }
    const grouped =
      !!prev &&
      prev.author.kind === m.author.kind &&
      prev.author.id === m.author.id &&
      prev.internal === m.internal &&
      Date.parse(m.createdAt) - Date.parse(prev.createdAt) < 5 * 60_000 &&
      dayKey(prev.createdAt) === dayKey(m.createdAt);
    rows.push(<MessageRow key={m.id} m={m} meId={props.meId} grouped={grouped} visitorId={props.visitorId} visitorRead={props.visitorRead} visitorDelivered={props.visitorDelivered} />);
    prev = m;
  }

  return (
    <div class="log" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label={t.messages} tabIndex={0}>
      {!props.thread?.loaded && messages.length === 0 && <p class="muted log-note">{t.loadingMessages}</p>}
      {props.thread?.loaded && messages.length === 0 && <p class="muted log-note">{t.noMessages}</p>}
      {rows}
    </div>
  );
}

function MessageRow(props: { m: ChatMessage; meId: string; grouped: boolean; visitorId: string; visitorRead?: number; visitorDelivered?: number }) {
  const { m } = props;
  const kind = messageKind(m);
  // Events (handoff, transfer) are centred notices, never a bubble someone wrote.
  if (kind === 'system') {
    return (
      <div class="msg-system" role="note">
        <span class="visually-hidden">{t.systemEvent}: </span>
        <span>{m.body}</span>
        <time dateTime={m.createdAt}>{clockTime(m.createdAt, locale)}</time>
      </div>
    );
  }
  const side = kind === 'visitor' ? 'left' : 'right';
  const own = m.author.kind === 'agent' && m.author.id === props.meId;
  return (
    <div class={`msg msg-${side} msg-${kind}${own ? ' is-own' : ''}${props.grouped ? ' is-grouped' : ''}`}>
      {side === 'left' && (props.grouped ? <span class="avatar-spacer" /> : <Avatar id={props.visitorId} name={m.author.name || t.visitor} size="sm" />)}
      <div class="msg-col">
        {!props.grouped && (
          <div class="msg-meta">
            {m.internal && (
              <span class="note-label">
                <LockIcon />
                {t.privateNote}
              </span>
            )}
            {kind === 'bot' && (
              <span class="bot-label">
                <BotIcon />
                {t.botLabel}
              </span>
            )}
            <span class="msg-author">{own ? t.you : m.author.name || t.visitor}</span>
            <time dateTime={m.createdAt} title={fullDateTime(m.createdAt, locale)}>
              {clockTime(m.createdAt, locale)}
            </time>
          </div>
        )}
        <div class="bubble">
          {m.internal && props.grouped && <span class="visually-hidden">{t.privateNote}: </span>}
          {kind === 'bot' && props.grouped && <span class="visually-hidden">{t.botLabel}: </span>}
          {m.attachment ? <AttachmentLink a={m.attachment} /> : m.body}
        </div>
        {own && (
          <div class={`delivery delivery-${m.delivery}`}>
            {m.delivery === 'sending' && t.sending}
            {m.delivery === 'sent' && !m.internal && (
              <>
                <CheckIcon />
                {m.seq <= (props.visitorRead ?? 0) ? t.readByVisitor : m.seq <= (props.visitorDelivered ?? 0) ? t.deliveredToVisitor : t.sent}
              </>
            )}
            {m.delivery === 'sent' && m.internal && (
              <>
                <CheckIcon />
                {t.sent}
              </>
            )}
            {m.delivery === 'failed' && `${t.failed}${m.failure === 'conversation_closed' ? ` — ${t.errConversationClosed}` : ''}`}
          </div>
        )}
      </div>
    </div>
  );
}

/** A file sent with a message: an image preview, or a download link. */
function AttachmentLink(props: { a: NonNullable<ChatMessage['attachment']> }) {
  const { a } = props;
  return a.type.startsWith('image/') ? (
    <a href={a.url} target="_blank" rel="noopener noreferrer" class="file-preview" aria-label={t.openFile(a.name)}>
      <img src={a.url} alt={a.name} loading="lazy" />
    </a>
  ) : (
    <a href={a.url} target="_blank" rel="noopener noreferrer" class="file-link" download={a.name}>
      {t.fileSize(a.name, Math.max(1, Math.round(a.size / 1024)))}
    </a>
  );
}
