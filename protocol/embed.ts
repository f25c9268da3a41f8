/**
 * Loader (host page) <-> widget frame (Parley origin).
 *
 * The loader creates the frame only when the shopper opens the chat (a trusted click or key on the
 * loader's own launcher), or, with data-parley-keep, hidden at idle time. After the frame's first
 * load it hands it ONE MessagePort, with window.postMessage(EMBED_MARK, <Parley's exact origin>,
 * [port]). The frame accepts that port only from its parent window at the exact host origin it was
 * given in its URL (`host=`, checked by the server against the tenant's allowed origins), once.
 * Everything afterwards goes over the port; neither side acts on window 'message' events again.
 *
 * The frame cannot open, grow, move or go full-screen: sizes are the loader's (EMBED_SIZES), applied
 * only on the shopper's gesture. The frame may only ask to close, report its unread count, and pass on
 * a proactive message (issue 20) that the loader shows as text in its own launcher, cut to
 * PROACTIVE_LIMITS.text characters: the one thing a frame shows on the page without a gesture.
 */
export const EMBED_MARK = 'parley/1';

/** Loader -> frame: the shopper opened the chat / the chat was closed (the frame is hidden, kept). */
export type HostToFrame = 'open' | 'closed' | HostPageContext;

/**
 * Loader -> frame: what the page itself said about where it is (`Parley.push(['page', name, attrs,
 * signed])`), as the page gave it. The frame keeps only a string name, up to EMBED_CONTEXT_LIMITS
 * string attributes and a JWT-shaped `signed` (an HS256 JWT from the tenant's backend, whose
 * `page`/`attributes` claims the server treats as verified; see widget/frame/src/hostChannel.ts and
 * server/security/pageContext.ts); the loader never reads the URL or the DOM.
 */
export type HostPageContext = [name: unknown, attributes?: unknown, signed?: unknown];

/**
 * Frame -> loader: 'close' (the shopper closed the chat inside the frame), or its note for the launcher:
 * its unread count, or [text], a proactive message (an array, so no text can be mistaken for 'close';
 * the loader cuts it to PROACTIVE_LIMITS.text characters), or an attachment's path (EMBED_FILE_PATH) to
 * open for the shopper. Anything else clears the note.
 */
export type FrameToHost = 'close' | number | [text: string] | `/files/${string}`;

export const EMBED_CONTEXT_LIMITS = { name: 100, attributes: 20, key: 40, value: 200, signed: 4096 } as const;

/** Frame sizes the loader applies (CSS pixels). On narrow screens an open frame fills the viewport. */
export const EMBED_SIZES = {
  /** The launcher's height (the loader's own button; its width follows its label). */
  launcherHeight: 48,
  open: { width: 400, height: 640 },
  fullscreenBelowWidth: 480,
} as const;

/** The iframe's sandbox: exactly what the widget needs (docs/SECURITY.md says why each one). */
export const EMBED_SANDBOX = 'allow-scripts allow-same-origin allow-forms';

/**
 * Frame -> loader: an attachment to open for the shopper, exactly the server's attachment route. The
 * loader opens it in a new top-level context (noopener, noreferrer) only while the chat is open, on the
 * shopper's own click or key inside the frame (the browser's popup blocker: transient activation).
 */
export const EMBED_FILE_PATH = /^\/files\/att_[A-Za-z\d]{1,60}\/[\w-]{10,64}$/;

/**
 * Features the widget frame never gets: the server's Permissions-Policy header on every frame answer
 * (server/routes/widget/widget.ts), so an old or altered loader's allow list cannot widen them. It is
 * the loader's iframe allow list (loader.test.ts checks it is included) plus everything else a text chat
 * does not use: the frame copies nothing to or from the clipboard (the shopper's own copy and paste
 * need no permission), plays no media, shares nothing, reads no sensor. Browsers ignore names they do
 * not know.
 */
export const FRAME_DENIED_FEATURES = [
  'camera', 'microphone', 'geolocation', 'payment', 'usb', 'display-capture', 'fullscreen', 'storage-access', 'browsing-topics', 'picture-in-picture', 'sync-xhr',
  'clipboard-read', 'clipboard-write', 'serial', 'hid', 'bluetooth', 'midi', 'accelerometer', 'gyroscope', 'magnetometer', 'ambient-light-sensor',
  'screen-wake-lock', 'xr-spatial-tracking', 'publickey-credentials-get', 'publickey-credentials-create', 'otp-credentials', 'identity-credentials-get',
  'idle-detection', 'local-fonts', 'window-management', 'encrypted-media', 'autoplay', 'web-share', 'compute-pressure', 'keyboard-map', 'gamepad',
  'attribution-reporting', 'private-state-token-issuance', 'private-state-token-redemption', 'captured-surface-control', 'speaker-selection', 'unload',
] as const;
