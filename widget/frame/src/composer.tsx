/** The visitor's message box: text (Enter sends), attachments, and the note that card details were hidden. */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../../protocol/limits.js';
import type { ChatClient, ChatState } from './chat.js';
import { draftStore } from './draft.js';
import { t } from './i18n.js';
import { LockIcon, SendIcon } from './icons.js';

export function Composer({ chat, client }: { chat: ChatState; client: ChatClient }) {
  // The unsent draft survives closing the chat (which removes the frame): widget/frame/src/draft.ts.
  const draft = useMemo(() => draftStore(`${client.storageKey}:draft`, (s) => client.redactField(s)), [client]);
  const [text, setText] = useState(() => draft.load());
  useEffect(() => draft.save(text), [text]);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);


  // Grow with the text up to a few lines (CSSOM, allowed under style-src 'self'). Also on resize:
  // the frame may still be its closed size when the window first renders.
  const autosize = () => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  };
  useLayoutEffect(autosize, [text]);
  useEffect(() => {
    window.addEventListener('resize', autosize);
    return () => window.removeEventListener('resize', autosize);
  }, []);

  const submit = () => {
    const r = client.send(text);
    if (r.ok) {
      setText('');
      setError(null);
    } else if (r.reason === 'tooLong') setError(t.tooLong(LIMITS.maxMessageChars));
  };

  const disabled = chat.session !== 'active' || chat.unavailable;
  // The message box takes the focus once it can be typed in: right after the pre-chat form the
  // session is still starting (box disabled), and a disabled box cannot take focus.
  const focusedOnce = useRef(false);
  useEffect(() => {
    if (disabled || focusedOnce.current) return;
    focusedOnce.current = true;
    ref.current?.focus();
  }, [disabled]);

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {chat.redactedNote && (
        <p class="note" role="status">
          <LockIcon />
          {t.redactedNote}
        </p>
      )}
      {error && (
        <p class="note note-error" role="alert">
          {error}
        </p>
      )}
      <div class="composer-row">
        <label for="parley-message" class="sr-only">
          {t.message}
        </label>
        <textarea
          ref={ref}
          id="parley-message"
          name="message"
          rows={1}
          maxLength={LIMITS.maxMessageChars}
          placeholder={t.messagePlaceholder}
          aria-describedby="parley-send-hint"
          value={text}
          disabled={disabled}
          onInput={(e) => {
            setText(e.currentTarget.value);
            if (e.currentTarget.value.trim()) client.typing();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <input
          ref={fileRef}
          type="file"
          class="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          accept="image/png,image/jpeg,image/gif,image/webp,application/pdf"
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (!f) return;
            const r = await client.sendFile(f);
            setError(r === 'ok' ? null : r === 'tooBig' ? t.fileTooBig : t.fileFailed);
          }}
        />
        <button type="button" class="attach" aria-label={t.attach} title={t.attach} disabled={disabled || !chat.conversation} onClick={() => fileRef.current?.click()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
            <path d="M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5" />
          </svg>
        </button>
        <span id="parley-send-hint" class="sr-only">
          {t.sendHint}
        </span>
        <button type="submit" class="send" aria-label={t.send} title={t.send} disabled={disabled || !text.trim()}>
          <SendIcon />
        </button>
      </div>
    </form>
  );
}
