/**
 * The frame's HTTP calls besides the session (contact centre): availability, "leave a message",
 * the satisfaction rating, the transcript by email and file upload. Visitor calls carry the token as
 * `Authorization: Bearer` (never a cookie: the frame is third-party); what the visitor typed is
 * redacted before it leaves (the server redacts again). Rating, transcript and upload name the
 * conversation shown, which may be one of the shopper's other devices (issue 20): the server lets a
 * verified shopper act on those, as it lets them read and write there.
 */
import type { MessageView } from '../../../protocol/records.js';
import type { OfflineMessageBody, WidgetAvailability } from '../../../protocol/contactCentre.js';
import type { OutgoingRedaction } from './outgoingRedaction.js';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface RequestDeps {
  key: string;
  fetch: typeof fetch;
  /** The visitor token (stored or current), null before any session. */
  token(): string | null;
  redaction: OutgoingRedaction;
}

export type FileResult = { sent: MessageView } | 'tooBig' | 'failed';

export class VisitorRequests {
  constructor(private readonly deps: RequestDeps) {}

  /** Live chat, or "leave a message" (outside hours / nobody online). null when it cannot be told. */
  async availability(): Promise<WidgetAvailability | null> {
    try {
      const res = await this.deps.fetch(`/api/widget/availability?key=${encodeURIComponent(this.deps.key)}`, { credentials: 'omit' });
      return res.ok ? ((await res.json()) as WidgetAvailability) : null;
    } catch {
      return null;
    }
  }

  /** "Leave a message": the token of the visitor it was stored under, or null. */
  async leaveMessage(form: Omit<OfflineMessageBody, 'key'>): Promise<string | null> {
    const field = (v: string) => this.deps.redaction.field(v.trim());
    const res = await this.post('/api/widget/offline-message', { key: this.deps.key, name: field(form.name).slice(0, 100), email: field(form.email), body: this.deps.redaction.message(form.body.trim()).text });
    const token = (res as { token?: unknown } | null)?.token;
    return typeof token === 'string' ? token : null;
  }

  async rate(conversationId: string, rating: number, comment: string): Promise<boolean> {
    return !!(await this.post('/api/widget/rating', { conversationId, rating, ...(comment.trim() ? { comment: this.deps.redaction.field(comment.trim()).slice(0, 2000) } : {}) }));
  }

  async emailTranscript(conversationId: string, email: string): Promise<boolean> {
    return !!(await this.post('/api/widget/transcript', { conversationId, ...(email.trim() ? { email: this.deps.redaction.field(email.trim()) } : {}) }));
  }

  /** A file (image or PDF, checked again by the server from its bytes) into that conversation, or else the visitor's latest. */
  async sendFile(file: { name: string; size: number; arrayBuffer(): Promise<ArrayBuffer> }, conversationId: string | null): Promise<FileResult> {
    if (file.size > MAX_FILE_BYTES) return 'tooBig';
    const token = this.deps.token();
    if (!token) return 'failed';
    const name = encodeURIComponent(this.deps.redaction.field(file.name).slice(0, 200));
    try {
      const res = await this.deps.fetch(`/api/widget/attachments?name=${name}${conversationId ? `&conversationId=${encodeURIComponent(conversationId)}` : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
        body: await file.arrayBuffer(),
        credentials: 'omit',
      });
      if (!res.ok) return res.status === 413 ? 'tooBig' : 'failed';
      return { sent: (await res.json()) as MessageView };
    } catch {
      return 'failed';
    }
  }

  async post(path: string, body: object): Promise<unknown> {
    try {
      const token = this.deps.token();
      const res = await this.deps.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        credentials: 'omit',
      });
      return res.ok ? await res.json() : null;
    } catch {
      return null;
    }
  }
}
