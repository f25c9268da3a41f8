/**
 * Card redaction at every sink, whatever the field: the second line of defence behind the inputs
 * (protocol/redaction.ts applied where people type). Each sink passes what it writes through here:
 *
 * - HTTP inputs: every string of a JSON body and of the query string, before validation and before
 *   any handler sees it (redactRequestInputs; secrets and credentials are left alone, see SKIP_KEYS);
 *   a forwarded client address that is not an IP address is dropped;
 * - logs: every line at every level, parsed and every string value redacted (logStreamWrite, a pino
 *   streamWrite hook, so fields, messages, errors and child bindings alike);
 * - emails: subject and body; a recipient address holding a card is refused (security/mailer.ts);
 * - webhooks: every string of the payload (webhooks/webhookEvents.ts);
 * - downloads (CSV and JSON exports, GDPR export, exposure reports): the whole body (redactDownload);
 * - audit entries: their details (security/accessAudit.ts).
 *
 * Only the built-in card rules apply here (a sink does not know the tenant); tenant patterns are
 * applied at the inputs that know it (messages, ratings).
 */
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { mayHoldDigits, redact, redactField } from '../../protocol/redaction.js';

export function redactString(s: string): string {
  return mayHoldDigits(s) ? redactField(s) : s;
}

/**
 * Fields that hold secrets or machine values, never text a person typed for someone to read. The
 * identity claim's userId is signed (HMAC or JWT): it is redacted after its signature is checked,
 * where it is stored (commands/visitorContextRecorder.ts).
 */
export const SKIP_KEYS: ReadonlySet<string> = new Set(['password', 'currentPassword', 'newPassword', 'token', 'secret', 'hash', 'jwt', 'userId', 'code', 'totp', 'redactionPatterns', 'patterns', 'key', 'csrf']);

/** A copy of a JSON-like value with every string (keys too) redacted; `skip` names fields kept as they are. */
export function redactDeep<T>(value: T, skip: ReadonlySet<string> = new Set(), depth = 0): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (typeof value !== 'object' || value === null || depth > 32) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactDeep(v, skip, depth + 1);
      if (r !== v) changed = true;
      return r;
    });
    return (changed ? out : value) as T;
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = redactString(k);
    const r = skip.has(k) ? v : redactDeep(v, skip, depth + 1);
    if (r !== v || key !== k) changed = true;
    out[key] = r;
  }
  return (changed ? out : value) as T;
}

/** pino's streamWrite hook: one serialised log line in, the same line with every string value redacted. */
export function logStreamWrite(line: string): string {
  if (!mayHoldDigits(line)) return line;
  const newline = line.endsWith('\n');
  try {
    const parsed: unknown = JSON.parse(line);
    const redacted = redactDeep(parsed);
    return redacted === parsed ? line : JSON.stringify(redacted) + (newline ? '\n' : '');
  } catch {
    // Not JSON (a pretty printer upstream): redact the text itself.
    return redact(line).text;
  }
}

/**
 * A downloadable body (CSV, JSON export), redacted as a whole: a CSV is read across its cells (a
 * card typed over two fields is still masked; numbers in neighbouring cells are rarely one).
 */
export function redactDownload(payload: string, contentType: string): string {
  if (!mayHoldDigits(payload)) return payload;
  if (contentType.includes('json')) {
    try {
      return JSON.stringify(redactDeep(JSON.parse(payload) as unknown));
    } catch {
      /* fall through: redact as text */
    }
  }
  return redact(payload).text;
}

/**
 * Installs the HTTP sides: every JSON body and query string redacted before validation and before
 * any handler (so every field a person can type, including ones added later, is covered), and every
 * download (Content-Disposition: attachment, text or JSON) redacted as it leaves.
 */
export function redactHttp(app: FastifyInstance): void {
  // Behind a trusted proxy the client's address is read from X-Forwarded-For, which the client can
  // write: only what is an IP address there counts, so no address stored or audited is typed text.
  app.addHook('onRequest', async (req) => {
    const forwarded = req.raw.headers['x-forwarded-for'];
    if (forwarded === undefined) return;
    const addresses = String(forwarded).split(',').map((a) => a.trim());
    const kept = addresses.filter((a) => isIP(a) !== 0);
    if (kept.length === addresses.length) return;
    if (kept.length) req.raw.headers['x-forwarded-for'] = kept.join(', ');
    else delete req.raw.headers['x-forwarded-for'];
  });
  app.addHook('preValidation', async (req) => {
    if (req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) req.body = redactDeep(req.body, SKIP_KEYS);
    if (req.query !== null && typeof req.query === 'object') req.query = redactDeep(req.query, SKIP_KEYS);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    const disposition = String(reply.getHeader('content-disposition') ?? '');
    if (typeof payload !== 'string' || !disposition.startsWith('attachment')) return payload;
    return redactDownload(payload, String(reply.getHeader('content-type') ?? ''));
  });
}
