/**
 * What the visitor typed, redacted before it leaves the frame (protocol/redaction.ts, the same
 * definition the server applies again). Messages are redacted together with the digits that ended
 * the visitor's previous messages, so a card typed as "4242 4242" then "4242 4242" has its later
 * part masked before it is sent; the earlier part, already sent, is masked by the server, which
 * joins the same way and replaces that message (the `message` frame with the same id).
 */
import { CONTINUATION, redactContinuing, redactField, type RedactionResult } from '../../../protocol/redaction.js';

/** How long a sent message's trailing digits are kept to join with the next one, and how many. */
const TAIL_MS = 10 * 60_000;
const TAIL_MESSAGES = CONTINUATION.maxMessages - 1;

export class OutgoingRedaction {
  private sent: Array<{ text: string; at: number }> = [];
  private patterns: RegExp[] = [];

  setPatterns(patterns: RegExp[]): void {
    this.patterns = patterns;
  }

  /** A chat message: redacted with the tail of the previous ones, and remembered as the new tail. */
  message(text: string, now = Date.now()): RedactionResult {
    this.sent = this.sent.filter((s) => now - s.at < TAIL_MS).slice(-TAIL_MESSAGES);
    const r = redactContinuing(
      this.sent.map((s) => s.text),
      text,
      this.patterns,
    );
    r.earlier.forEach((e, k) => {
      if (e !== null) this.sent[k]!.text = e;
    });
    this.sent.push({ text: r.text, at: now });
    return { text: r.text, redacted: r.redacted };
  }

  /** Any other field (name, email, comment, file name): redacted on its own. */
  field(text: string): string {
    return redactField(text, this.patterns);
  }
}

/** Caps for the tenant's patterns in the frame (the server validates them too; see server/security/redactionPatterns.ts). */
export const MAX_TENANT_PATTERNS = 20;
export const MAX_TENANT_PATTERN_CHARS = 200;

/** The tenant's redaction patterns from the widget config, compiled defensively: bad or oversized ones are skipped. */
export function compileTenantPatterns(sources: unknown): RegExp[] {
  if (!Array.isArray(sources)) return [];
  const out: RegExp[] = [];
  for (const src of sources.slice(0, MAX_TENANT_PATTERNS)) {
    if (typeof src !== 'string' || !src || src.length > MAX_TENANT_PATTERN_CHARS) continue;
    try {
      out.push(new RegExp(src, 'giu'));
    } catch {
      /* not a valid pattern in this browser: the server still applies it */
    }
  }
  return out;
}
