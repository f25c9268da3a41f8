/** Small pure formatting helpers (unit-tested in format.test.ts). */
import type { ConversationView, VisitorView } from '../../protocol/records.js';
import type { Messages } from './i18n.js';

/** "now", "5m", "3h", "2d", then a short date ("12 Mar"). */
export function relativeTime(iso: string, now: number, t: Messages, locale: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return t.justNow;
  const m = Math.floor(s / 60);
  if (m < 60) return t.minutesShort(m);
  const h = Math.floor(m / 60);
  if (h < 24) return t.hoursShort(h);
  const d = Math.floor(h / 24);
  if (d < 7) return t.daysShort(d);
  const sameYear = new Date(then).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' }).format(then);
}

export function fullDateTime(iso: string, locale: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(then);
}

export function clockTime(iso: string, locale: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(then);
}

export function shortId(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').slice(-6).toUpperCase();
}

export function visitorName(v: VisitorView, t: Messages): string {
  const name = v.name?.trim();
  return name ? name : `${t.visitor} #${shortId(v.id)}`;
}

export function initials(name: string): string {
  const parts = name.replace(/#\S+/g, '').trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const second = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}

/** Stable 0..7 colour slot for an avatar. */
export function colorSlot(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 8;
}

/** One-line preview of the last message, plain text, whitespace collapsed. */
export function preview(c: ConversationView, t: Messages, meId: string | null = null, max = 90): string {
  const m = c.lastMessage;
  if (!m) return t.noMessagesYet;
  let body = m.body.replace(/\s+/g, ' ').trim();
  if (body.length > max) body = body.slice(0, max - 1) + '…';
  if (m.internal) return t.privateNotePreview(body);
  if (m.author.kind === 'agent' && meId !== null && m.author.id === meId) return t.youPreview(body);
  if (m.author.kind === 'agent') return `${m.author.name.split(' ')[0] ?? ''}: ${body}`;
  return body;
}

/** Only http(s) URLs become links; anything else (javascript:, data:) stays text. */
export function safeHttpUrl(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
