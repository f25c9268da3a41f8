/** Where the frame is embedded (the host origin from its URL) and how the loader sized it. */
import { EMBED_SIZES } from '../../../protocol/embed.js';

/**
 * The host origin from `?host=`, only if it is exactly an http(s) origin (scheme://host[:port], no
 * path). The server has checked it against the tenant's allowed origins before serving this page.
 */
export function parseHostOrigin(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin === raw ? raw : null;
  } catch {
    return null;
  }
}

/**
 * Whether the open frame fills the host's viewport (narrow screens), judged from the frame's own size:
 * the loader gives an open frame exactly EMBED_SIZES.open unless it makes it full-viewport.
 */
export function isFullscreen(): boolean {
  const { width, height } = EMBED_SIZES.open;
  const w = window.innerWidth;
  return w < EMBED_SIZES.fullscreenBelowWidth && (Math.abs(w - width) > 1 || Math.abs(window.innerHeight - height) > 1);
}
