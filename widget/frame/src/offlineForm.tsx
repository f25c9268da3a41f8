/** "Leave us a message": what the widget offers when nobody can chat; answered by email. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../../protocol/limits.js';
import type { ChatClient } from './chat.js';
import { t } from './i18n.js';
import { Field } from './prechat.js';

export function OfflineForm({ client }: { client: ChatClient }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The first field takes the focus (Name, then Email), in the order they are read.
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setError(t.emailRequired);
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    const ok = await client.leaveMessage({ name, email, body });
    setBusy(false);
    if (!ok) setError(t.offlineFailed);
  };

  return (
    <form class="card prechat" onSubmit={submit} noValidate aria-labelledby="offline-title">
      <h2 id="offline-title">{t.offlineTitle}</h2>
      <p class="hint">{t.offlineHint}</p>
      <Field id="off-name" label={t.name}>
        <input ref={nameRef} id="off-name" type="text" autocomplete="name" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <div class="field">
        <label for="off-email">{t.email}</label>
        <input id="off-email" type="email" autocomplete="email" required aria-required="true" maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="off-body">{t.yourMessage}</label>
        <textarea id="off-body" required aria-required="true" rows={4} maxLength={LIMITS.maxMessageChars} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || !body.trim()}>
        {t.sendMessage}
      </button>
    </form>
  );
}
