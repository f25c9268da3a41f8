/**
 * The one rule for a webhook receiver's URL, used by the server (which enforces it) and by the
 * console (which says the same thing before sending): https, or plain http to this machine only
 * (local development), and no credentials in the URL.
 */
export type WebhookUrlProblem = 'invalid' | 'https' | 'credentials';

export function webhookUrlProblem(raw: string): WebhookUrlProblem | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'invalid';
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return 'https';
  if (u.username || u.password) return 'credentials';
  return null;
}
