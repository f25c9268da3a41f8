/** The visitor's view of the conversation: grouped bubbles, delivery state, queue, typing. Bodies are text only. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { messageKind, type MessageKind } from '../../../protocol/messageKind.js';
import type { MessageView } from '../../../protocol/records.js';
import { AfterChat } from './afterChat.js';
import type { ChatClient, ChatState, Outgoing } from './chat.js';
import { lang, t } from './i18n.js';
import { AlertIcon, BotIcon, CheckIcon, ClockIcon } from './icons.js';

let timeFormat: Intl.DateTimeFormat | null = null;
const formatTime = (iso: string) => {
  const d = new Date(iso);
  // Made on first use: by then the tenant's language (setLanguage) is known.
  if (timeFormat?.resolvedOptions().locale.slice(0, 2) !== lang) timeFormat = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
  return Number.isNaN(d.getTime()) ? '' : timeFormat.format(d);
};

export function initial(name: string): string {
  return (name.trim()[0] ?? '?').toUpperCase();
}

export interface Entry {
  key: string;
  /** Visitors never see private notes, so every other kind has its own look here. */
  kind: Exclude<MessageKind, 'note'>;
  name: string;
  body: string;
  time: string;
  status: 'sent' | 'sending' | 'failed' | 'delivered' | 'read';
  clientId: string;
  attachment?: MessageView['attachment'];
}

export function toEntries(messages: readonly MessageView[], outbox: readonly Outgoing[], read = 0, delivered = 0, currentId: string | null = null): Entry[] {
  const entries: Entry[] = messages.map((m) => {
    const kind = messageKind(m);
    const current = m.conversationId === currentId;
    return {
      key: m.id,
      kind: kind === 'note' ? 'agent' : kind,
      name: kind === 'visitor' ? t.you : kind === 'bot' ? t.bot : m.author.name,
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

export function MessageLog({ chat, client }: { chat: ChatState; client: ChatClient }) {
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
            <div class={`group ${mine ? 'mine' : head.kind}`} key={head.key}>
              {!mine && (
                <div class={`avatar small${head.kind === 'bot' ? ' avatar-bot' : ''}`} aria-hidden="true">
                  {head.kind === 'bot' ? <BotIcon /> : initial(head.name)}
                </div>
              )}
              <div class="group-content">
                {!mine && (
                  <div class="author">
                    {head.name}
                    {head.kind === 'bot' && <span class="tag">{t.botTag}</span>}
                  </div>
                )}
                {g.map((e) => (
                  <MessageBubble key={e.key} entry={e} onRetry={() => client.retry(e.clientId)} />
                ))}
              </div>
            </div>
          );
        })}
        {conv?.status === 'resolved' && <p class="system">{t.resolved}</p>}
      </div>
      {/* A message left offline is answered by email: no queue, no "next in line". */}
      {conv?.status === 'open' && !conv.assignee && conv.channel === 'offline' && (
        <p class="system offline-sent" role="status">
          {t.offlineSent}
        </p>
      )}
      {conv?.status === 'open' && !conv.assignee && conv.channel !== 'offline' && chat.queue && (
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

/**
 * How an attachment is opened: the loader's (HostChannel.openFile), since the frame's sandbox allows
 * neither downloads nor popups; null when the frame runs on its own (the link's plain download then).
 */
export const FileOpener = createContext<((path: string) => boolean) | null>(null);

function AttachmentLink({ a }: { a: NonNullable<MessageView['attachment']> }) {
  const opener = useContext(FileOpener);
  const kb = Math.max(1, Math.round(a.size / 1024));
  // The shopper's click (or Enter) asks the loader to open it; the loader acts only on that gesture.
  const onClick = (event: MouseEvent) => {
    if (opener?.(a.url)) event.preventDefault();
  };
  return a.type.startsWith('image/') ? (
    // Shown inline here; the link gets the file itself.
    <a href={a.url} download={a.name} aria-label={t.openFile(a.name)} class="file-preview" onClick={onClick}>
      <img src={a.url} alt={a.name} loading="lazy" />
    </a>
  ) : (
    <a href={a.url} class="file-link" download={a.name} onClick={onClick}>
      {t.fileSize(a.name, kb)}
    </a>
  );
}
