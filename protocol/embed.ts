/**
 * postMessage between the loader (host page) and the widget frame (Parley origin).
 * Only the frame speaks; the loader only listens, and acts only on messages whose origin is exactly
 * Parley's origin and whose source is its own iframe. The frame posts only to the exact host origin
 * it was given in its URL (`host=`), which the server has checked against the tenant's allowed origins.
 * Nothing else crosses: the loader never sends page data to the frame.
 */
export const EMBED_MARK = 'parley/1';

export interface EmbedLayoutMessage {
  /** Always EMBED_MARK, so unrelated messages on the page are ignored. */
  m: typeof EMBED_MARK;
  type: 'layout';
  open: boolean;
  position: 'right' | 'left';
}

export type EmbedMessage = EmbedLayoutMessage;

/** Frame sizes the loader applies (CSS pixels). On narrow screens an open frame fills the viewport. */
export const EMBED_SIZES = {
  closed: { width: 96, height: 96 },
  open: { width: 400, height: 640 },
  fullscreenBelowWidth: 480,
} as const;
