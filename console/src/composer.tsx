/** The reply / private-note composer, with canned responses (/shortcut), @mentions in notes and attachments. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../protocol/limits.js';
import type { CannedResponseView } from '../../protocol/contactCentre.js';
import { cannedQuery, expandCanned, matchCanned, type CannedVars } from './canned.js';
import { t } from './i18n.js';
import { LockIcon, SendIcon } from './icons.js';
import { MentionList, useMentions } from './mentionAutocomplete.js';
import type { Mentionable } from './mentions.js';

export function Composer(props: {
  conversationId: string;
  onSend: (conversationId: string, body: string, internal: boolean) => void;
  onTyping: (conversationId: string, on: boolean) => void;
  canned?: CannedResponseView[];
  cannedVars?: CannedVars;
  onAttach?: (conversationId: string, file: File) => void;
  /** The tenant's agents, offered when a note has `@` at the caret (the signed-in one left out). */
  mentionables?: readonly Mentionable[];
  meId?: string;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  // Canned responses: typing /shortcut lists matches; Enter or Tab inserts the highlighted one.
  const [pick, setPick] = useState(0);
  const query = cannedQuery(text);
  const suggestions = query !== null && props.canned ? matchCanned(props.canned, query) : [];
  const insertCanned = (c: CannedResponseView) => {
    const body = props.cannedVars ? expandCanned(c.body, props.cannedVars, t.visitor) : c.body;
    setText(body);
    setPick(0);
    ref.current?.focus();
  };
  const [note, setNote] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  // @mentions (notes only): the caret decides which `@query` is being typed.
  const [caret, setCaret] = useState(0);
  const caretAfter = useRef<number | null>(null);
  const mention = useMentions({
    enabled: note,
    text,
    caret,
    people: props.mentionables ?? [],
    meId: props.meId ?? '',
    onInsert: (next, at) => {
      setText(next);
      setCaret(at);
      caretAfter.current = at;
    },
  });
  const trackCaret = (e: { currentTarget: HTMLTextAreaElement }) => setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
  const stopTimer = useRef<ReturnType<typeof setTimeout>>();
  const typingOn = useRef(false);

  useEffect(() => {
    ref.current?.focus();
    return () => {
      clearTimeout(stopTimer.current);
      if (typingOn.current) props.onTyping(props.conversationId, false);
    };
  }, []);

  // Grow with the content, up to a limit set in CSS.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
    if (caretAfter.current !== null) {
      el.setSelectionRange(caretAfter.current, caretAfter.current);
      caretAfter.current = null;
    }
  }, [text]);

  const stopTyping = () => {
    clearTimeout(stopTimer.current);
    if (typingOn.current) {
      typingOn.current = false;
      props.onTyping(props.conversationId, false);
    }
  };

  const trimmed = text.trim();
  const over = trimmed.length - LIMITS.maxMessageChars;

  const submit = () => {
    if (!trimmed || over > 0) return;
    props.onSend(props.conversationId, trimmed, note);
    setText('');
    stopTyping();
    ref.current?.focus();
  };

  const onInput = (value: string) => {
    setText(value);
    if (note) return; // the visitor is not told about private notes being written
    if (value.trim()) {
      typingOn.current = true;
      props.onTyping(props.conversationId, true);
      clearTimeout(stopTimer.current);
      stopTimer.current = setTimeout(stopTyping, 4000);
    } else stopTyping();
  };

  return (
    <form
      class={`composer${note ? ' is-note' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div class="composer-modes" role="group" aria-label={t.composerMode}>
        <button type="button" class="mode" aria-pressed={!note} onClick={() => setNote(false)}>
          {t.reply}
        </button>
        <button
          type="button"
          class="mode mode-note"
          aria-pressed={note}
          onClick={() => {
            stopTyping();
            setNote(true);
          }}
        >
          <LockIcon />
          {t.privateNote}
        </button>
      </div>
      {suggestions.length > 0 && (
        <ul class="canned-list" id="canned-list" role="listbox" aria-label={t.cannedSuggestions}>
          {suggestions.map((c, i) => (
            <li
              key={c.id}
              id={`canned-${c.id}`}
              role="option"
              aria-selected={i === Math.min(pick, suggestions.length - 1)}
              class="canned-item"
              onMouseDown={(e) => {
                e.preventDefault();
                insertCanned(c);
              }}
            >
              <code>/{c.shortcut}</code> <span>{c.title}</span>
            </li>
          ))}
        </ul>
      )}
      <MentionList state={mention} />
      <label class="visually-hidden" for="composer-input">
        {note ? t.noteLabel : t.replyLabel}
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        rows={2}
        value={text}
        placeholder={note ? t.notePlaceholder : t.replyPlaceholder}
        aria-describedby={over > -200 ? 'composer-count' : undefined}
        role={suggestions.length ? 'combobox' : undefined}
        aria-expanded={suggestions.length ? 'true' : undefined}
        aria-controls={suggestions.length ? 'canned-list' : undefined}
        aria-autocomplete={suggestions.length ? 'list' : undefined}
        aria-activedescendant={suggestions.length ? `canned-${suggestions[Math.min(pick, suggestions.length - 1)]!.id}` : undefined}
        {...mention.comboProps}
        onInput={(e) => {
          trackCaret(e);
          onInput(e.currentTarget.value);
        }}
        onKeyUp={trackCaret}
        onClick={trackCaret}
        onBlur={stopTyping}
        onKeyDown={(e) => {
          if (mention.onKeyDown(e)) return;
          if (suggestions.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
            return;
          }
          if (suggestions.length && (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey))) {
            e.preventDefault();
            insertCanned(suggestions[Math.min(pick, suggestions.length - 1)]!);
            return;
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <div class="composer-foot">
        {props.onAttach && !note && (
          <>
            <input
              ref={fileRef}
              type="file"
              class="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              accept="image/png,image/jpeg,image/gif,image/webp,application/pdf"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                e.currentTarget.value = '';
                if (f) props.onAttach!(props.conversationId, f);
              }}
            />
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => fileRef.current?.click()} title={t.attachFile}>
              <span>{t.attach}</span>
            </button>
          </>
        )}
        <span id="composer-count" class={`count${over > 0 ? ' is-over' : ''}`} aria-live="polite">
          {over > 0 ? t.tooLong(over) : over > -200 ? t.charsLeft(-over) : ''}
        </span>
        <button type="submit" class={`btn ${note ? 'btn-note' : 'btn-primary'}`} disabled={!trimmed || over > 0} title={note ? t.addNoteLabel : t.sendReply}>
          {note ? <LockIcon /> : <SendIcon />}
          <span>{note ? t.addNote : t.send}</span>
        </button>
      </div>
    </form>
  );
}

// ==================================================================== visitor panel
