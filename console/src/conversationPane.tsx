/** The open conversation: its header with the actions, the message log, the composer. */
import type { ComponentChildren } from 'preact';
import type { AgentView, ConversationView } from '../../protocol/records.js';
import type { CannedResponseView } from '../../protocol/contactCentre.js';
import { Avatar } from './avatar.js';
import { Composer } from './composer.js';
import { visitorName } from './format.js';
import { t } from './i18n.js';
import { CheckIcon, InboxIcon, ReopenIcon, UserIcon } from './icons.js';
import { MessageLog } from './messageLog.js';
import type { Thread } from './state.js';
import type { Mentionable } from './mentions.js';

export function ConversationPane(props: {
  conversation: ConversationView | undefined;
  thread: Thread | undefined;
  me: AgentView;
  visitorTyping: boolean;
  busy: boolean;
  now: number;
  onAssign: (agentId: string | null) => void;
  onResolve: () => void;
  onReopen: () => void;
  onSend: (conversationId: string, body: string, internal: boolean) => void;
  onTyping: (conversationId: string, on: boolean) => void;
  /** Contact centre: the transfer control, canned responses and their variables. */
  transfer?: ComponentChildren;
  canned?: CannedResponseView[];
  onAttach?: (conversationId: string, file: File) => void;
  /** Agent productivity (issue 20): labels, priority, snooze, macros, colleagues here. */
  productivity?: ComponentChildren;
  /** The tenant's agents, for @mentions in notes. */
  mentionables?: readonly Mentionable[];
}) {
  const c = props.conversation;
  if (!c) {
    return (
      <main class="pane pane-empty">
        <div class="empty-state">
          <InboxIcon />
          <h2>{t.selectConversation}</h2>
          <p class="muted">{t.selectConversationHint}</p>
        </div>
      </main>
    );
  }
  const name = visitorName(c.visitor, t);
  const mine = c.assignee?.id === props.me.id;
  return (
    <main class="pane" aria-labelledby="conv-title">
      <header class="pane-head">
        <div class="pane-title">
          <Avatar id={c.visitor.id} name={name} />
          <div>
            <h2 id="conv-title">{name}</h2>
            <div class="pane-sub">
              <span class={`pill pill-${c.status}`}>{c.status === 'open' ? t.stateOpen : t.stateResolved}</span>
              <span class="muted">{mine ? t.assignedToYou : c.assignee ? t.assignedTo(c.assignee.name) : t.unassigned}</span>
              {c.team && <span class="pill pill-team">{c.team.name}</span>}
              {c.botActive && <span class="pill pill-bot">{t.waitingBot}</span>}
              {c.channel === 'offline' && <span class="pill pill-offline">{t.offlineMessage}</span>}
            </div>
          </div>
        </div>
        <div class="pane-actions">
          {/* A resolved conversation offers Reopen only: assigning it is meaningless until then.
              Each button's accessible name is its visible text (the title says more). */}
          {c.status === 'open' && props.transfer}
          {c.status === 'open' && !mine && (
            <button type="button" class="btn btn-secondary" disabled={props.busy} onClick={() => props.onAssign(props.me.id)} title={t.assignToMeLabel}>
              <UserIcon />
              <span>{t.assignToMe}</span>
            </button>
          )}
          {c.status === 'open' && c.assignee && (
            <button type="button" class="btn btn-secondary" disabled={props.busy} onClick={() => props.onAssign(null)} title={t.unassignLabel}>
              {t.unassign}
            </button>
          )}
          {c.status === 'open' ? (
            <button type="button" class="btn btn-success" disabled={props.busy} onClick={props.onResolve} title={t.resolveLabel}>
              <CheckIcon />
              <span>{t.resolve}</span>
            </button>
          ) : (
            <button type="button" class="btn btn-primary" disabled={props.busy} onClick={props.onReopen} title={t.reopenLabel}>
              <ReopenIcon />
              <span>{t.reopen}</span>
            </button>
          )}
        </div>
      </header>
      {props.productivity}
      <MessageLog thread={props.thread} meId={props.me.id} visitorName={name} visitorId={c.visitor.id} visitorRead={c.receipts?.visitorRead ?? 0} visitorDelivered={c.receipts?.visitorDelivered ?? 0} />
      <div class="typing-row" aria-live="polite">
        {props.visitorTyping && (
          <span class="typing">
            <span class="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {t.visitorTyping}
          </span>
        )}
      </div>
      {c.status === 'open' ? (
        <Composer
          conversationId={c.id}
          onSend={props.onSend}
          onTyping={props.onTyping}
          canned={props.canned}
          onAttach={props.onAttach}
          mentionables={props.mentionables}
          meId={props.me.id}
          cannedVars={{ visitor: { name: c.visitor.name, email: c.visitor.email }, agent: { name: props.me.name } }}
        />
      ) : (
        <div class="resolved-bar">
          <span>{t.resolvedBanner}</span>
          <button type="button" class="btn btn-primary btn-sm" disabled={props.busy} onClick={props.onReopen} title={t.reopenLabel}>
            {t.reopen}
          </button>
        </div>
      )}
    </main>
  );
}
