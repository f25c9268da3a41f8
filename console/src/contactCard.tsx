/**
 * The contact behind the open conversation (issue 20): verified or anonymous, attributes, every
 * conversation of the contact (all the shopper's browsers), and the team's notes on them. Plain
 * text only: notes and previews are never rendered as HTML.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ContactNoteView, ContactView } from '../../protocol/contacts.js';
import type { ConversationView } from '../../protocol/records.js';
import type { ApiClient } from './api.js';
import { fullDateTime } from './format.js';
import { locale, t } from './i18n.js';
import './contactCard.css';

const enc = encodeURIComponent;

export function ContactCard(props: { api: ApiClient; contactId: string; onOpen: (conversationId: string) => void }) {
  const { api, contactId } = props;
  const [contact, setContact] = useState<ContactView | null>(null);
  const [conversations, setConversations] = useState<ConversationView[]>([]);
  const [notes, setNotes] = useState<ContactNoteView[]>([]);
  const [draft, setDraft] = useState('');
  const load = async () => {
    const [c, cv, n] = await Promise.all([
      api.request<ContactView>('GET', `/api/contacts/${enc(contactId)}`),
      api.request<{ items: ConversationView[] }>('GET', `/api/contacts/${enc(contactId)}/conversations`),
      api.request<{ items: ContactNoteView[] }>('GET', `/api/contacts/${enc(contactId)}/notes`),
    ]);
    setContact(c);
    setConversations(cv.items);
    setNotes(n.items);
  };
  useEffect(() => {
    load().catch(() => setContact(null));
  }, [contactId]);
  if (!contact) return null;
  const addNote = async (e: Event) => {
    e.preventDefault();
    if (!draft.trim()) return;
    await api.request('POST', `/api/contacts/${enc(contactId)}/notes`, { body: draft.trim() });
    setDraft('');
    await load();
  };
  return (
    <section class="context-card contact-card" aria-label={t.contactTitle}>
      <h3 class="section-title">{t.contactTitle}</h3>
      <p class="contact-who">
        <span class={`pill ${contact.verified ? 'pill-open' : ''}`}>{contact.verified ? t.contactVerified : t.contactAnonymous}</span>
        {contact.userId && <code class="contact-user">{contact.userId}</code>}
      </p>
      {Object.keys(contact.attributes).length > 0 && (
        <dl>
          {Object.entries(contact.attributes).map(([k, v]) => (
            <div class="kv" key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      <h4 class="section-title">{t.contactConversations}</h4>
      <ul class="history contact-convs">
        {conversations.map((c) => (
          <li key={c.id}>
            <button type="button" class="link contact-conv" onClick={() => props.onOpen(c.id)}>
              <span class={`pill pill-${c.status}`}>{c.status === 'open' ? t.stateOpen : t.stateResolved}</span>
              <span class="history-preview">{c.lastMessage?.body.slice(0, 80) ?? ''}</span>
            </button>
          </li>
        ))}
      </ul>
      <h4 class="section-title">{t.contactNotes}</h4>
      {notes.length === 0 && <p class="muted">{t.contactNoNotes}</p>}
      <ul class="contact-notes">
        {notes.map((n) => (
          <li key={n.id}>
            <p class="contact-note-body">{n.body}</p>
            <p class="muted contact-note-meta">
              {n.author?.name ?? ''} · {fullDateTime(n.createdAt, locale)}
            </p>
          </li>
        ))}
      </ul>
      <form class="contact-note-form" onSubmit={addNote}>
        <textarea aria-label={t.contactNotes} placeholder={t.contactNotePlaceholder} rows={3} value={draft} maxLength={5000} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" class="btn btn-secondary btn-sm" disabled={!draft.trim()}>
          {t.contactAddNote}
        </button>
      </form>
    </section>
  );
}
