/**
 * The visitor's chat session, without any UI: session token, realtime socket, message list,
 * outgoing messages and their delivery state, typing. The Preact components only render its state.
 * What the frame calls is here; the socket side (session token, frames → state) is chatRealtime.ts.
 */
import { LIMITS } from '../../../protocol/limits.js';
import { newClientId } from '../../../clients/js/src/reconnectingSocket.js';
import { compileTenantPatterns } from './outgoingRedaction.js';
import { lastSeqOf } from './messages.js';
import { VisitorRequests } from './visitorRequests.js';
import type { OfflineMessageBody, PageContextClaim, WidgetAvailability } from '../../../protocol/contactCentre.js';
import type { ChatDeps, SendResult } from './chatTypes.js';
import { ChatRealtime } from './chatRealtime.js';

// Its shapes (chatTypes.ts), the tenant patterns' compiler and the browser storage, for the frame's other modules.
export type { ChatDeps, ChatState, KeyValue, Outgoing, SendResult, SocketFactory, SocketLike } from './chatTypes.js';
export { compileTenantPatterns, MAX_TENANT_PATTERNS, MAX_TENANT_PATTERN_CHARS } from './outgoingRedaction.js';
export { browserStorage } from './browserStorage.js';

const TYPING_IDLE_MS = 3000;
const TYPING_RESEND_MS = 2500;

export class ChatClient extends ChatRealtime {
  private typingOn = false;
  private typingSentAt = 0;
  private typingIdle: ReturnType<typeof setTimeout> | undefined;

  /** The HTTP calls besides the session (rating, transcript, files, offline message). */
  private readonly requests: VisitorRequests;

  constructor(deps: ChatDeps) {
    super(deps);
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

  /** Text redacted as any field is (card numbers, the tenant's patterns): for what the frame keeps locally. */
  redactField(text: string): string {
    return this.redaction.field(text);
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
}
