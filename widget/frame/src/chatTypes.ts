/** The shapes the chat session (chat.ts) works with: its state, its dependencies, the socket it drives. */
import type { ReconnectingSocketOptions, SocketState } from '../../../clients/js/src/reconnectingSocket.js';
import type { ConversationView, MessageView } from '../../../protocol/records.js';
import type { VisitorServerFrame } from '../../../protocol/realtime.js';
import type { IdentityClaim } from '../../../protocol/contactCentre.js';

export interface Outgoing {
  clientId: string;
  body: string;
  createdAt: string;
  state: 'sending' | 'failed';
  /** Where it goes: a named conversation, or a new one (issue 20). */
  conversationId?: string;
  newConversation?: boolean;
}

export interface ChatState {
  session: 'none' | 'starting' | 'active' | 'failed';
  connection: SocketState | 'idle';
  /** The socket has been open at least once (so a drop shows "Reconnecting…", not "Connecting…"). */
  connectedOnce: boolean;
  /** The server refused this widget for good (closed with FORBIDDEN). */
  unavailable: boolean;
  messages: MessageView[];
  outbox: Outgoing[];
  conversation: ConversationView | null;
  agentTyping: boolean;
  /** The last message the visitor sent had something redacted. */
  redactedNote: boolean;
  unread: number;
  /** Place in the queue while no agent has the conversation (null when not waiting). */
  queue: { position: number; etaSeconds: number | null } | null;
  /** Up to which seq the agents have received / seen the visitor's messages. */
  agentDelivered: number;
  agentRead: number;
  /**
   * The visitor's conversations (a verified shopper's from all devices), open ones first (issue 20).
   * Each keeps the shopper's read mark (`receipts.visitorRead`) up to date: unreadMarks.ts.
   */
  conversations: ConversationView[];
  /** The visitor chose "new conversation": the next message starts one. */
  startingNew: boolean;
}

/** The part of ReconnectingSocket the chat uses (so tests can pass a fake). */
export interface SocketLike {
  send(frame: { type: 'message.send'; clientId: string; body: string; conversationId?: string; newConversation?: boolean }): void;
  notify(frame: object): void;
  settle(clientId: string): void;
  close(): void;
  reconnectNow(): void;
}

export type SocketFactory = (opts: ReconnectingSocketOptions<VisitorServerFrame>) => SocketLike;

export interface KeyValue {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export interface ChatDeps {
  key: string;
  /** A logged-in shopper's identity, signed by the tenant's backend (passed by the loader). */
  identity?: IdentityClaim | null;
  wsUrl: string;
  /** Page the widget is shown on (document.referrer). */
  page: string;
  /** The widget's language now ('en' | 'fr'); server-made words for this visitor follow it. */
  language?: () => string;
  storage: KeyValue;
  fetch: typeof fetch;
  socket: SocketFactory;
}

export type SendResult = { ok: true; redacted: number } | { ok: false; reason: 'empty' | 'tooLong' | 'noSession' };
