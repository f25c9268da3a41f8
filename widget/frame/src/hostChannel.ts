/**
 * The frame's side of protocol/embed.ts: one MessagePort from the loader, accepted once, from the
 * parent window at the exact host origin only. After that this module listens to nothing on window.
 * The frame cannot open or grow itself: it learns 'open' / 'closed' from the loader, and may only
 * ask to close, report its unread count and pass on a proactive message for the launcher bubble.
 */
import { EMBED_CONTEXT_LIMITS, EMBED_FILE_PATH, EMBED_MARK, type FrameToHost } from '../../../protocol/embed.js';

/**
 * What the page said about itself (Parley.push(['page', name, attributes, signed])), checked and
 * trimmed: the plain name and attributes are the page's word (unverified); `signed` is an HS256 JWT
 * made by the tenant's backend, checked by the server (verified). Sent to the server by chat.ts.
 */
export interface HostPageContext {
  page: string;
  attributes: Record<string, string>;
  signed?: string;
}

/** Only a string name, string/number/boolean attributes and a JWT-shaped `signed` survive, each trimmed to the limits. */
export function parsePageContext(raw: unknown): HostPageContext | null {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string') return null;
  const attributes: Record<string, string> = {};
  const given: unknown = raw[1];
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const [k, v] of Object.entries(given).slice(0, EMBED_CONTEXT_LIMITS.attributes)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k.slice(0, EMBED_CONTEXT_LIMITS.key)] = String(v).slice(0, EMBED_CONTEXT_LIMITS.value);
    }
  }
  const signed: unknown = raw[2];
  const jwt = typeof signed === 'string' && signed.length <= EMBED_CONTEXT_LIMITS.signed && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(signed) ? signed : undefined;
  return { page: raw[0].slice(0, EMBED_CONTEXT_LIMITS.name), attributes, ...(jwt ? { signed: jwt } : {}) };
}

/** Whether a window 'message' event is the loader's one port hand-over. */
export function isHandover(event: Pick<MessageEvent, 'origin' | 'source' | 'data' | 'ports'>, host: string, parent: unknown): boolean {
  return event.origin === host && event.source === parent && event.data === EMBED_MARK && event.ports.length === 1;
}

export class HostChannel {
  open = false;
  context: HostPageContext | null = null;
  private port: MessagePort | null = null;
  private listeners = new Set<(open: boolean) => void>();
  private contextListeners = new Set<(context: HostPageContext) => void>();
  private lastUnread = -1;
  private lastBubble = '';

  constructor(
    private readonly host: string,
    private readonly win: Window = window,
  ) {
    this.win.addEventListener('message', this.accept);
  }

  private readonly accept = (event: MessageEvent): void => {
    if (this.port || !isHandover(event, this.host, this.win.parent)) return;
    this.win.removeEventListener('message', this.accept);
    this.port = event.ports[0]!;
    this.port.onmessage = (m: MessageEvent) => this.receive(m.data);
    if (this.lastUnread > 0 || this.lastBubble) this.send(this.note());
  };

  private receive(data: unknown): void {
    if (data === 'open' || data === 'closed') {
      this.open = data === 'open';
      for (const fn of this.listeners) fn(this.open);
    } else {
      const context = parsePageContext(data);
      if (!context) return;
      this.context = context;
      for (const fn of this.contextListeners) fn(context);
    }
  }

  /** Calls fn with the page's context now (if it gave one) and each time the page gives a new one. */
  watchContext(fn: (context: HostPageContext) => void): () => void {
    this.contextListeners.add(fn);
    if (this.context) fn(this.context);
    return () => this.contextListeners.delete(fn);
  }

  private send(message: FrameToHost): void {
    this.port?.postMessage(message);
  }

  subscribe(fn: (open: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The shopper closed the chat inside the frame: the loader hides (or removes) the frame. */
  requestClose(): void {
    this.send('close');
  }

  /**
   * Opens one of this conversation's attachments for the shopper: the frame's sandbox has no downloads
   * and no popups, so the loader opens it (a new top-level tab, noopener, that the server answers with a
   * download), only while the chat is open and only on the shopper's click or key inside the frame
   * (docs/SECURITY.md). Anything but Parley's attachment route is not even sent. False if there is no
   * loader to ask (the frame opened on its own: its link then works as a plain download).
   */
  openFile(path: string): boolean {
    if (!this.port || !EMBED_FILE_PATH.test(path)) return false;
    this.send(path as `/files/${string}`);
    return true;
  }

  /**
   * The launcher's note, after its label: a proactive message while one is shown (as [text], so no text
   * reads as 'close'; the loader cuts it to its limit), else the unread count.
   */
  private note(): FrameToHost {
    return this.lastBubble ? [`— ${this.lastBubble}`] : Math.max(0, this.lastUnread);
  }

  /** A proactive message on the launcher while the chat is closed ('' removes it). */
  showBubble(text: string): void {
    if (text === this.lastBubble) return;
    this.lastBubble = text;
    this.send(this.note());
  }

  /** The launcher's unread count (the loader shows it next to its label, unless a proactive message is shown). */
  reportUnread(n: number): void {
    const count = Math.max(0, Math.min(99, Math.floor(n)));
    if (count === this.lastUnread) return;
    this.lastUnread = count;
    this.send(this.note());
  }
}

/** The channel to the embedding page, or null when the frame is not embedded (opened on its own). */
export function connectHost(host: string | null, win: Window = window): HostChannel | null {
  return host && win.parent !== win ? new HostChannel(host, win) : null;
}
