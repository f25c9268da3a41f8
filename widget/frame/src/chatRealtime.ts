/**
 * The realtime side of the visitor's chat session (ChatClient, chat.ts, builds on it): the session
 * token, the socket, and every server frame turned into ChatState (messages, outbox, conversations,
 * receipts, typing, queue). The frames it sends on its own (history pages, receipts) go from here too.
 */
import { CLOSE } from '../../../protocol/closeCodes.js';
import type { WidgetSession, WidgetSessionBody } from '../../../protocol/http.js';
import type { SocketState } from '../../../clients/js/src/reconnectingSocket.js';
import { FINAL_SEND_ERRORS } from '../../../clients/js/src/reconnectingSocket.js';
import type { ConversationView, MessageView } from '../../../protocol/records.js';
import type { VisitorServerFrame } from '../../../protocol/realtime.js';
import { OutgoingRedaction } from './outgoingRedaction.js';
import { lastSeqOf, mergeMessages } from './messages.js';
import { withVisitorRead } from './unreadMarks.js';
import type { PageContextClaim } from '../../../protocol/contactCentre.js';
import type { ChatDeps, ChatState, SocketLike } from './chatTypes.js';

const AGENT_TYPING_TIMEOUT_MS = 8000;

export class ChatRealtime {
  protected state: ChatState = {
    session: 'none',
    connection: 'idle',
    connectedOnce: false,
    unavailable: false,
    messages: [],
    outbox: [],
    conversation: null,
    agentTyping: false,
    redactedNote: false,
    unread: 0,
    queue: null,
    agentDelivered: 0,
    agentRead: 0,
    conversations: [],
    startingNew: false,
  };
  protected listeners = new Set<(s: ChatState) => void>();
  protected socket: SocketLike | null = null;
  protected token: string | null = null;
  protected conversationId: string | null = null;
  private resyncFromZero = false;
  private sentLastSeq = 0;
  /**
   * While missed messages are fetched page by page (ready/history said `more`): the last seq of the
   * last page received. Messages live on the socket meanwhile are newer than the hole being filled,
   * so a reconnect must resume from here, not from the highest seq held.
   */
  private pageEnd: number | null = null;
  protected open = false;
  protected agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastReauth = 0;
  private readSent = { conversationId: '', seq: 0 };

  /** What the tenant's page said about itself (hostChannel.ts), redacted; sent with the session and whenever it changes. */
  protected pageContext: PageContextClaim | null = null;
  /** The context the session start carried (a newer one that came meanwhile is sent after it). */
  protected sessionContext: PageContextClaim | null = null;

  /** The built-in rules and the tenant's patterns, applied to everything the visitor types before it is sent. */
  protected readonly redaction = new OutgoingRedaction();

  constructor(protected readonly deps: ChatDeps) {}

  get storageKey(): string {
    return `parley:${this.deps.key}`;
  }

  getState(): ChatState {
    return this.state;
  }

  subscribe(fn: (s: ChatState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The conversation shown (null: none yet, or a new one is being started). */
  get currentConversationId(): string | null {
    return this.state.startingNew ? null : this.conversationId;
  }

  /** The conversation shown, for frames about it (receipts, typing, handoff): the server checks it is the visitor's or their contact's. */
  protected shown(): { conversationId?: string } {
    const id = this.currentConversationId;
    return id ? { conversationId: id } : {};
  }

  /** Tells the agents up to where the visitor has seen their messages (when the chat is open and visible). */
  protected markRead(): void {
    if (!this.open || (typeof document !== 'undefined' && document.visibilityState === 'hidden')) return;
    const seq = lastSeqOf(this.state.messages, this.conversationId);
    const sent = this.readSent.conversationId === this.conversationId ? this.readSent.seq : 0;
    if (seq > sent && this.conversationId) {
      this.readSent = { conversationId: this.conversationId, seq };
      // Named: it may be a conversation of the shopper's other device, not this browser's latest.
      this.socket?.notify({ type: 'receipt', conversationId: this.conversationId, readSeq: seq });
      // Its unread marker goes at once; the shopper's other devices hear it from the server.
      this.set({ conversations: withVisitorRead(this.state.conversations, this.conversationId, seq) });
    }
  }

  /** Adds or replaces a conversation in the list: open ones first, then the most recently active. */
  private listed(conv: ConversationView): ConversationView[] {
    // A copy from the server may be older than a read mark this frame already moved (unreadMarks.ts).
    const known = this.state.conversations.find((c) => c.id === conv.id)?.receipts?.visitorRead ?? 0;
    const list = [...withVisitorRead([conv], conv.id, known), ...this.state.conversations.filter((c) => c.id !== conv.id)];
    return list.sort((a, b) => (a.status === b.status ? b.updatedAt.localeCompare(a.updatedAt) : a.status === 'open' ? -1 : 1));
  }

  // ---------- internals ----------

  protected set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  protected async createSession(form: { name?: string; email?: string }): Promise<string | null> {
    const stored = this.deps.storage.get(this.storageKey);
    const body: WidgetSessionBody = { key: this.deps.key };
    if (stored) body.token = stored;
    const name = form.name ? this.redaction.field(form.name.trim()).slice(0, 100) : '';
    const email = form.email ? this.redaction.field(form.email.trim()) : '';
    if (name) body.name = name;
    if (email) body.email = email;
    if (this.deps.page) body.page = this.redaction.field(this.deps.page.slice(0, 2000));
    if (this.deps.identity) body.identity = this.deps.identity;
    this.sessionContext = this.pageContext;
    if (this.pageContext) body.context = this.pageContext;
    const language = this.deps.language?.();
    if (language === 'en' || language === 'fr') body.language = language;
    try {
      const res = await this.deps.fetch('/api/widget/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      });
      if (!res.ok) return null;
      const session = (await res.json()) as WidgetSession;
      if (typeof session?.token !== 'string' || !session.token) return null;
      this.deps.storage.set(this.storageKey, session.token);
      return session.token;
    } catch {
      return null;
    }
  }

  protected connect(): void {
    this.socket?.close();
    this.socket = this.deps.socket({
      url: this.deps.wsUrl,
      hello: () => {
        this.sentLastSeq = this.resyncFromZero ? 0 : (this.pageEnd ?? lastSeqOf(this.state.messages, this.conversationId));
        this.resyncFromZero = false;
        return { type: 'hello', token: this.token ?? '', lastSeq: this.sentLastSeq };
      },
      onFrame: (frame) => this.onFrame(frame),
      onState: (state, code) => this.onState(state, code),
    });
  }

  private onState(state: SocketState, code?: number): void {
    this.set({
      connection: state,
      connectedOnce: this.state.connectedOnce || state === 'open',
      ...(state !== 'open' ? { agentTyping: false } : {}),
    });
    if (state !== 'closed') return;
    if (code === CLOSE.FORBIDDEN) {
      this.set({ unavailable: true });
    } else if (code === CLOSE.UNAUTHORIZED) {
      // The token expired or was revoked: ask for a session again (the server continues the same
      // visitor if it still can, or starts a new one), at most once a minute.
      if (Date.now() - this.lastReauth < 60_000) {
        this.set({ unavailable: true });
        return;
      }
      this.lastReauth = Date.now();
      void this.createSession({}).then((token) => {
        if (!token) return this.set({ unavailable: true });
        this.token = token;
        this.connect();
      });
    }
  }

  private onFrame(frame: VisitorServerFrame): void {
    switch (frame.type) {
      case 'ready': {
        const conv = frame.conversation;
        // Our lastSeq was about another conversation (it was resolved and a new one started while we
        // were away): ask again from zero so nothing of the new one is missed.
        const switched = !!conv && !!this.conversationId && conv.id !== this.conversationId && this.sentLastSeq > 0;
        if (conv) this.conversationId = conv.id;
        const r = conv?.receipts;
        this.set({
          ...(r ? { agentDelivered: r.agentDelivered, agentRead: r.agentRead } : {}),
          conversation: conv ?? this.state.conversation,
          ...(frame.conversations ? { conversations: frame.conversations } : {}),
          messages: mergeMessages(this.state.messages, frame.messages ?? []),
          agentTyping: false,
        });
        this.settleOutbox(frame.messages ?? []);
        this.markRead();
        if (switched) {
          this.pageEnd = null;
          this.resyncFromZero = true;
          this.socket?.reconnectNow();
          return;
        }
        this.nextPage(conv?.id ?? null, frame.messages ?? [], frame.more === true);
        return;
      }
      case 'history': {
        this.set({ messages: mergeMessages(this.state.messages, frame.messages) });
        if (frame.conversationId !== this.conversationId) return;
        this.settleOutbox(frame.messages);
        this.markRead();
        this.nextPage(frame.conversationId, frame.messages, frame.more);
        return;
      }
      case 'ack': {
        if (this.state.startingNew && frame.message) {
          this.conversationId = frame.message.conversationId;
          this.set({ startingNew: false });
        }
        this.accept(frame.message, false);
        this.set({ outbox: this.state.outbox.filter((o) => o.clientId !== frame.clientId) });
        return;
      }
      case 'message':
        this.accept(frame.message, true);
        return;
      case 'conversation':
        if (frame.conversation) {
          const conversations = this.listed(frame.conversation);
          // Another conversation (another device's, or one not shown): the list only.
          if (this.conversationId && frame.conversation.id !== this.conversationId) return this.set({ conversations });
          if (!this.conversationId && this.state.startingNew) return this.set({ conversations });
          this.conversationId = frame.conversation.id;
          const r = frame.conversation.receipts;
          this.set({
            conversations,
            conversation: frame.conversation,
            ...(frame.conversation.assignee || frame.conversation.status !== 'open' ? { queue: null } : {}),
            ...(r ? { agentDelivered: Math.max(this.state.agentDelivered, r.agentDelivered), agentRead: Math.max(this.state.agentRead, r.agentRead) } : {}),
          });
        }
        return;
      case 'queue':
        this.set({ queue: frame.position === null ? null : { position: frame.position, etaSeconds: frame.estimatedWaitSeconds } });
        return;
      case 'receipt':
        // The shopper read it (here or on another of their devices): its unread marker goes.
        if (frame.by === 'visitor') return this.set({ conversations: withVisitorRead(this.state.conversations, frame.conversationId, frame.readSeq) });
        if (frame.conversationId !== this.conversationId) return;
        this.set({ agentDelivered: Math.max(this.state.agentDelivered, frame.deliveredSeq), agentRead: Math.max(this.state.agentRead, frame.readSeq) });
        return;
      case 'typing':
        if (frame.from !== 'agent') return;
        clearTimeout(this.agentTypingTimer);
        if (frame.on) this.agentTypingTimer = setTimeout(() => this.set({ agentTyping: false }), AGENT_TYPING_TIMEOUT_MS);
        this.set({ agentTyping: frame.on === true });
        return;
      case 'error':
        if (frame.clientId && FINAL_SEND_ERRORS.includes(frame.code) && this.state.outbox.some((o) => o.clientId === frame.clientId)) {
          // Refused for good: shown as failed, and the visitor may retry it by hand (same clientId, so
          // a message the server did store is not doubled). Any other error (unavailable,
          // storage_full, rate_limited…) is retried by the socket itself, and the visitor's later
          // messages wait behind it, so they keep their order (clients/js/src/reconnectingSocket.ts).
          this.socket?.settle(frame.clientId);
          this.set({
            outbox: this.state.outbox.map((o) => (o.clientId === frame.clientId ? { ...o, state: 'failed' } : o)),
          });
        }
        return;
      default:
        return;
    }
  }

  protected accept(message: MessageView | undefined, live: boolean): void {
    if (!message || message.internal === true) return;
    const known = this.state.messages.some((m) => m.id === message.id);
    if (message.conversationId && !this.conversationId && !this.state.startingNew) this.conversationId = message.conversationId;
    const listedConv = this.state.conversations.find((c) => c.id === message.conversationId);
    if (listedConv && (!listedConv.lastMessage || listedConv.lastMessage.seq < message.seq)) this.set({ conversations: this.listed({ ...listedConv, lastMessage: message, updatedAt: message.createdAt, status: 'open' }) });
    const fromOthers = message.author?.kind !== 'visitor';
    this.set({
      messages: mergeMessages(this.state.messages, [message]),
      ...(fromOthers && message.author?.kind === 'agent' ? { agentTyping: false } : {}),
      ...(live && !known && fromOthers && !this.open ? { unread: this.state.unread + 1 } : {}),
    });
    this.settleOutbox([message]);
    if (live && fromOthers && !known) {
      // Delivered to this socket; read too when the visitor can see it.
      this.socket?.notify({ type: 'receipt', conversationId: message.conversationId, deliveredSeq: message.seq });
      this.markRead();
    }
  }

  /** After `ready` or a `history` page: asks for the next page while the server says there is more. */
  private nextPage(conversationId: string | null, page: readonly MessageView[], more: boolean): void {
    const last = page[page.length - 1];
    if (!more || !last || !conversationId) {
      this.pageEnd = null;
      return;
    }
    this.pageEnd = last.seq;
    this.socket?.notify({ type: 'history', conversationId, afterSeq: last.seq });
  }

  /** A message that came back from the server under our clientId is delivered, however it arrived. */
  private settleOutbox(messages: readonly MessageView[]): void {
    const ids = new Set(messages.filter((m) => m.author?.kind === 'visitor').map((m) => m.clientId));
    if (!ids.size || !this.state.outbox.some((o) => ids.has(o.clientId))) return;
    for (const id of ids) this.socket?.settle(id);
    this.set({ outbox: this.state.outbox.filter((o) => !ids.has(o.clientId)) });
  }
}
