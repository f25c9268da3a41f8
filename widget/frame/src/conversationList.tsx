/**
 * The visitor's conversations (issue 20): open ones first, then the most recent; a verified shopper
 * sees those of all their devices, live. Pick one to read it (and write in it), or start a new one.
 * With only the conversation on screen, just the button to start another is shown.
 * A dot marks a reply not read yet on any of the shopper's devices (unreadMarks.ts). Previews are
 * plain text, never HTML.
 */
import type { ChatClient, ChatState } from './chat.js';
import { t } from './i18n.js';
import { hasUnreadReply } from './unreadMarks.js';
import { unreadWords } from './unreadStrings.js';

export function ConversationList({ chat, client }: { chat: ChatState; client: ChatClient }) {
  const current = client.currentConversationId;
  if (chat.conversations.length === 0 && !chat.startingNew) return null;
  const newButton = (
    <button type="button" class="convs-new" aria-pressed={chat.startingNew} onClick={() => client.startNewConversation()}>
      + {t.newConversation}
    </button>
  );
  // A first-time shopper's one conversation is the one on screen: a list of it would only push the
  // messages down. Starting another stays one click away.
  if (chat.conversations.length === 1 && chat.conversations[0]!.id === current && !chat.startingNew) return <div class="convs-compact">{newButton}</div>;
  return (
    <nav class="convs" aria-label={t.conversations}>
      <div class="convs-head">
        <h2 class="convs-title">{t.conversations}</h2>
        {newButton}
      </div>
      <ul class="convs-list">
        {chat.conversations.map((c) => (
          <li key={c.id}>
            <button type="button" class={`conv-item${hasUnreadReply(c) ? ' unread' : ''}`} aria-current={c.id === current ? 'true' : undefined} onClick={() => client.openConversation(c.id)}>
              <span class={`conv-state ${c.status}`}>{c.status === 'open' ? t.conversationOpen : t.conversationResolved}</span>
              <span class="conv-preview">{c.lastMessage?.body.slice(0, 80) || t.conversationEmpty}</span>
              {hasUnreadReply(c) && (
                <span class="conv-unread">
                  <span class="sr-only">{unreadWords().newReply}</span>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
