/**
 * The visitor's chat session, without any UI: session token, realtime socket, message list,
 * outgoing messages and their delivery state, typing. The Preact components only render its state.
 */
import { CLOSE } from '../../../protocol/closeCodes.js';
import type { WidgetSession, WidgetSessionBody } from '../../../protocol/http.js';
import { LIMITS } from '../../../protocol/limits.js';
import type { SocketState } from '../../../clients/js/src/reconnectingSocket.js';
import { FINAL_SEND_ERRORS, newClientId } from '../../../clients/js/src/reconnectingSocket.js';
import type { ConversationView, MessageView } from '../../../protocol/records.js';
import type { VisitorServerFrame } from '../../../protocol/realtime.js';
import { compileTenantPatterns, OutgoingRedaction } from './outgoingRedaction.js';
import { lastSeqOf, mergeMessages } from './messages.js';
import { withVisitorRead } from './unreadMarks.js';
import { VisitorRequests } from './visitorRequests.js';
import type { OfflineMessageBody, PageContextClaim, WidgetAvailability } from '../../../protocol/contactCentre.js';
import type { ChatDeps, ChatState, SendResult, SocketLike } from './chatTypes.js';

// Its shapes (chatTypes.ts), the tenant patterns' compiler and the browser storage, for the frame's other modules.
export type { ChatDeps, ChatState, KeyValue, Outgoing, SendResult, SocketFactory, SocketLike } from './chatTypes.js';
export { compileTenantPatterns, MAX_TENANT_PATTERNS, MAX_TENANT_PATTERN_CHARS } from './outgoingRedaction.js';
export { browserStorage } from './browserStorage.js';

const TYPING_IDLE_MS = 3000;
const TYPING_RESEND_MS = 2500;
const AGENT_TYPING_TIMEOUT_MS = 8000;

export class ChatClient {
  private state: ChatState = {
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
  private listeners = new Set<(s: ChatState) => void>();
  private socket: SocketLike | null = null;
  private token: string | null = null;
  private conversationId: string | null = null;
  private resyncFromZero = false;
  private sentLastSeq = 0;
  /**
   * While missed messages are fetched page by page (ready/history said `more`): the last seq of the
   * last page received. Messages live on the socket meanwhile are newer than the hole being filled,
   * so a reconnect must resume from here, not from the highest seq held.
   */
  private pageEnd: number | null = null;
  private open = false;
  private typingOn = false;
  private typingSentAt = 0;
  private typingIdle: ReturnType<typeof setTimeout> | undefined;
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastReauth = 0;
  private readSent = { conversationId: '', seq: 0 };

  /** What the tenant's page said about itself (hostChannel.ts), redacted; sent with the session and whenever it changes. */
  private pageContext: PageContextClaim | null = null;
  /** The context the session start carried (a newer one that came meanwhile is sent after it). */
  private sessionContext: PageContextClaim | null = null;

  /** The built-in rules and the tenant's patterns, applied to everything the visitor types before it is sent. */
  private readonly redaction = new OutgoingRedaction();

  /** The HTTP calls besides the session (rating, transcript, files, offline message). */
  private readonly requests: VisitorRequests;

  constructor(private readonly deps: ChatDeps) {
    this.requests = new VisitorRequests({
      key: deps.key,
      fetch: (input, init) => this.deps.fetch(input, init),
      token: () => this.token ?? this.deps.storage.get(this.storageKey),
      redaction: this.redaction,
    });
  }

  setRedactionPatterns(sources: unknown): void {
    this.redaction.setPatterns(compileTenantPatterns(sources));
  }

  get storageKey(): string {
    return `parley:${this.deps.key}`;
  }

  /** Text redacted as any field is (card numbers, the tenant's patterns): for what the frame keeps locally. */
  redactField(text: string): string {
    return this.redaction.field(text);
  }

  getState(): ChatState {
    return this.state;
  }

  subscribe(fn: (s: ChatState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A returning visitor (token stored) continues straight away, without the pre-chat form. */
  hasStoredToken(): boolean {
    return !!this.deps.storage.get(this.storageKey);
  }

  async resume(): Promise<void> {
    if (this.hasStoredToken()) await this.start({});
  }

  async start(form: { name?: string; email?: string }): Promise<boolean> {
    if (this.state.session === 'starting' || this.state.session === 'active') return true;
    this.set({ session: 'starting' });
    const token = await this.createSession(form);
    if (!token) {
      this.set({ session: 'failed' });
      return false;
    }
    this.token = token;
    this.set({ session: 'active' });
    if (this.pageContext && this.pageContext !== this.sessionContext) void this.requests.post('/api/widget/context', { context: this.pageContext });
    this.connect();
    return true;
  }

  /**
   * The tenant's page said where the shopper is (a page name, attributes, maybe signed). Kept for the
   * next session start; sent at once when a chat is already going. Values are redacted like anything
   * typed (the signed JWT is not: the server redacts what it carries after checking its signature).
   */
  setPageContext(context: PageContextClaim): void {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(context.attributes)) attributes[this.redaction.field(k)] = this.redaction.field(v);
    const next: PageContextClaim = { page: this.redaction.field(context.page), attributes, ...(context.signed ? { signed: context.signed } : {}) };
    if (JSON.stringify(next) === JSON.stringify(this.pageContext)) return;
    this.pageContext = next;
    if (this.state.session === 'active') void this.requests.post('/api/widget/context', { context: next });
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open && this.state.unread) this.set({ unread: 0 });
    if (open) this.markRead();
  }

  // ---------- contact centre ----------

  /** Live chat, or "leave a message" (outside hours / nobody online). null when it cannot be told. */
  availability(): Promise<WidgetAvailability | null> {
    return this.requests.availability();
  }

  /** "Leave a message": stored as a conversation and emailed to the team; the visitor then sees it in the log. */
  async leaveMessage(form: Omit<OfflineMessageBody, 'key'>): Promise<boolean> {
    const token = await this.requests.leaveMessage(form);
    if (!token) return false;
    this.deps.storage.set(this.storageKey, token);
    await this.start({});
    return true;
  }

  /** Rates the conversation shown (on any of a verified shopper's devices). */
  async rate(rating: number, comment: string): Promise<boolean> {
    const id = this.state.conversation?.id;
    return !!id && (await this.requests.rate(id, rating, comment));
  }

  async emailTranscript(email: string): Promise<boolean> {
    const id = this.state.conversation?.id;
    return !!id && (await this.requests.emailTranscript(id, email));
  }

  /** Sends a file into the conversation shown (image or PDF, checked again by the server); it arrives as a message. */
  async sendFile(file: { name: string; size: number; arrayBuffer(): Promise<ArrayBuffer> }): Promise<'ok' | 'tooBig' | 'failed'> {
    const result = await this.requests.sendFile(file, this.currentConversationId);
    if (typeof result === 'string') return result;
    this.accept(result.sent, false);
    return 'ok';
  }

  /** Stop talking to the bot and wait for a person. */
  handoff(): void {
    this.socket?.notify({ type: 'handoff', ...this.shown() });
  }

  /** The conversation shown, for frames about it (receipts, typing, handoff): the server checks it is the visitor's or their contact's. */
  private shown(): { conversationId?: string } {
    const id = this.currentConversationId;
    return id ? { conversationId: id } : {};
  }

  /** Tells the agents up to where the visitor has seen their messages (when the chat is open and visible). */
  private markRead(): void {
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

  send(raw: string): SendResult {
    const text = raw.trim();
    if (!text) return { ok: false, reason: 'empty' };
    if (!this.socket) return { ok: false, reason: 'noSession' };
    const r = this.redaction.message(text);
    if (r.text.length > LIMITS.maxMessageChars) return { ok: false, reason: 'tooLong' };
    const clientId = newClientId();
    const target = this.state.startingNew ? { newConversation: true } : this.conversationId ? { conversationId: this.conversationId } : {};
    this.set({
      outbox: [...this.state.outbox, { clientId, body: r.text, createdAt: new Date().toISOString(), state: 'sending', ...target }],
      redactedNote: r.redacted > 0,
    });
    this.socket.send({ type: 'message.send', clientId, body: r.text, ...target });
    this.stopTyping();
    return { ok: true, redacted: r.redacted };
  }

  /** Re-sends a failed message with the same clientId, so the server deduplicates it if it had stored it. */
  retry(clientId: string): void {
    const item = this.state.outbox.find((o) => o.clientId === clientId);
    if (!item || item.state !== 'failed' || !this.socket) return;
    this.set({ outbox: this.state.outbox.map((o) => (o.clientId === clientId ? { ...o, state: 'sending' } : o)) });
    this.socket.send({ type: 'message.send', clientId, body: item.body, ...(item.newConversation ? { newConversation: true } : item.conversationId ? { conversationId: item.conversationId } : {}) });
  }

  // ---------- several conversations (issue 20) ----------

  /** The conversation shown (null: none yet, or a new one is being started). */
  get currentConversationId(): string | null {
    return this.state.startingNew ? null : this.conversationId;
  }

  /** Shows one of the visitor's conversations and fetches what this frame has not seen of it. */
  openConversation(id: string): void {
    const conv = this.state.conversations.find((c) => c.id === id);
    if (!conv) return;
    this.conversationId = id;
    const r = conv.receipts;
    this.set({ conversation: conv, startingNew: false, queue: null, agentTyping: false, ...(r ? { agentDelivered: r.agentDelivered, agentRead: r.agentRead } : { agentDelivered: 0, agentRead: 0 }) });
    this.socket?.notify({ type: 'history', conversationId: id, afterSeq: lastSeqOf(this.state.messages, id) });
    // What this frame holds of it is seen now; the rest when its history arrives.
    this.markRead();
  }

  /** The next message starts a new conversation. */
  startNewConversation(): void {
    this.conversationId = null;
    this.set({ conversation: null, startingNew: true, queue: null, agentTyping: false, agentDelivered: 0, agentRead: 0 });
  }

  /** Adds or replaces a conversation in the list: open ones first, then the most recently active. */
  private listed(conv: ConversationView): ConversationView[] {
    // A copy from the server may be older than a read mark this frame already moved (unreadMarks.ts).
    const known = this.state.conversations.find((c) => c.id === conv.id)?.receipts?.visitorRead ?? 0;
    const list = [...withVisitorRead([conv], conv.id, known), ...this.state.conversations.filter((c) => c.id !== conv.id)];
    return list.sort((a, b) => (a.status === b.status ? b.updatedAt.localeCompare(a.updatedAt) : a.status === 'open' ? -1 : 1));
  }

  /** Call on every edit of the composer: sends typing on (throttled), and off after 3 s idle. */
  typing(): void {
    if (!this.socket) return;
    const now = Date.now();
    if (!this.typingOn || now - this.typingSentAt > TYPING_RESEND_MS) {
      this.socket.notify({ type: 'typing', on: true, ...this.shown() });
      this.typingOn = true;
      this.typingSentAt = now;
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    clearTimeout(this.typingIdle);
    if (!this.typingOn) return;
    this.typingOn = false;
    this.socket?.notify({ type: 'typing', on: false, ...this.shown() });
  }

  dispose(): void {
    clearTimeout(this.typingIdle);
    clearTimeout(this.agentTypingTimer);
    this.socket?.close();
    this.socket = null;
    this.listeners.clear();
  }

  // ---------- internals ----------

  private set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private async createSession(form: { name?: string; email?: string }): Promise<string | null> {
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

  private connect(): void {
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

  private accept(message: MessageView | undefined, live: boolean): void {
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
