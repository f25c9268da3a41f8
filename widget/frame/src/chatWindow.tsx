/** The open chat: header, greeting, then the pre-chat form, the offline form or the conversation. */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { WidgetConfig } from '../../../protocol/http.js';
import type { WidgetAvailability } from '../../../protocol/contactCentre.js';
import type { ChatClient, ChatState } from './chat.js';
import { Composer } from './composer.js';
import { greetingIn, t } from './i18n.js';
import { CloseIcon } from './icons.js';
import { MessageLog, initial } from './messageLog.js';
import { OfflineForm } from './offlineForm.js';
import { ConversationList } from './conversationList.js';
import { PreChatForm, prechatFieldsOf } from './prechat.js';

export function ChatWindow({
  config,
  availability,
  chat,
  client,
  proactive,
  onClose,
}: {
  config: WidgetConfig;
  availability: WidgetAvailability | null;
  chat: ChatState;
  client: ChatClient;
  /** A proactive message shown to this visitor (issue 20): text, after the greeting. */
  proactive?: string | null;
  onClose: () => void;
}) {
  const showForm = (chat.session === 'none' && !client.hasStoredToken()) || chat.session === 'failed';
  const bodyRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  // Nobody can chat now (outside hours or no agent online) and no bot: one path, leave a message.
  const offline = !!availability && !availability.live && !availability.bot;

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
  };

  // Keep the newest message in view unless the visitor scrolled up to read; what the visitor just
  // sent is always brought into view.
  const count = chat.messages.length + chat.outbox.length + (chat.agentTyping ? 1 : 0);
  const last = chat.outbox.length ? 'visitor' : chat.messages[chat.messages.length - 1]?.author.kind;
  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (el && (stick.current || last === 'visitor')) {
      el.scrollTop = el.scrollHeight;
      stick.current = true;
    }
  }, [count, showForm]);
  // An image grows the log when it has loaded, after the scroll above: follow it if we were at the end.
  const onMediaLoad = () => {
    const el = bodyRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  };
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
      <div class="body" ref={bodyRef} onScroll={onScroll} onLoadCapture={onMediaLoad} tabIndex={0} role="region" aria-labelledby="parley-title">
        <div class="group agent">
          <div class="avatar avatar-brand small" aria-hidden="true">
            {initial(config.tenantName)}
          </div>
          <div class="group-content">
            <div class="author">{config.tenantName}</div>
            <div class="bubble">{greetingIn(config)}</div>
            {proactive && (
              <div class="bubble proactive" id="parley-proactive">
                {proactive}
              </div>
            )}
          </div>
        </div>
        {showForm && offline ? (
          <OfflineForm client={client} />
        ) : showForm ? (
          <PreChatForm client={client} failed={chat.session === 'failed'} fields={prechatFieldsOf(config)} />
        ) : (
          <>
            <ConversationList chat={chat} client={client} />
            <MessageLog chat={{ ...chat, messages: chat.messages.filter((m) => m.conversationId === client.currentConversationId) }} client={client} />
          </>
        )}
      </div>
      {!showForm && <Composer chat={chat} client={client} />}
    </section>
  );
}
