/**
 * @mention autocomplete in private notes (issue 20): typing `@` in a note lists the tenant's other
 * agents (name, handle, email); ArrowUp/ArrowDown move, Enter or Tab insert `@handle `, Escape closes,
 * a click inserts too. The textarea is the combobox (aria-controls, aria-activedescendant), the list
 * a listbox of options; a polite status says how many match. Only in notes: a reply goes to the
 * visitor, and the server only reads mentions in notes.
 */
import { useState } from 'preact/hooks';
import { t } from './i18n.js';
import { insertMention, matchMentions, mentionQuery, type MentionCandidate, type Mentionable } from './mentions.js';

export interface ComboProps {
  role?: 'combobox';
  'aria-expanded'?: boolean;
  'aria-controls'?: string;
  'aria-autocomplete'?: 'list';
  'aria-activedescendant'?: string;
}

export interface MentionState {
  /** The list is shown (there is an `@query` at the caret with at least one match). */
  open: boolean;
  candidates: MentionCandidate[];
  active: number;
  /** A polite announcement for screen readers: how many match, or none. */
  status: string;
  /** The combobox attributes for the textarea while the list is open (none otherwise). */
  comboProps: ComboProps;
  /** Handles the key if the list uses it (true: the caller does nothing more). */
  onKeyDown: (e: KeyboardEvent) => boolean;
  choose: (c: MentionCandidate) => void;
}

export function useMentions(opts: {
  enabled: boolean;
  text: string;
  caret: number;
  people: readonly Mentionable[];
  meId: string;
  /** Replaces the text and puts the caret after the inserted handle. */
  onInsert: (text: string, caret: number) => void;
}): MentionState {
  const [pick, setPick] = useState(0);
  /** The `@` position the agent dismissed with Escape: closed until they type another one. */
  const [dismissed, setDismissed] = useState<number | null>(null);
  const q = opts.enabled ? mentionQuery(opts.text, opts.caret) : null;
  const candidates = q && q.start !== dismissed ? matchMentions(opts.people, q.query, opts.meId) : [];
  const open = candidates.length > 0;
  const active = open ? Math.min(pick, candidates.length - 1) : 0;
  const choose = (c: MentionCandidate) => {
    if (!q) return;
    const r = insertMention(opts.text, q.start, opts.caret, c.handle);
    setPick(0);
    opts.onInsert(r.text, r.caret);
  };
  const status = open ? t.mentionCount(candidates.length) : q && q.start !== dismissed && q.query ? t.mentionNoMatch : '';
  return {
    open,
    candidates,
    active,
    status,
    comboProps: open
      ? { role: 'combobox', 'aria-expanded': true, 'aria-controls': 'mention-list', 'aria-autocomplete': 'list', 'aria-activedescendant': `mention-${candidates[active]!.id}` }
      : {},
    choose,
    onKeyDown: (e) => {
      if (!open) return false;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setPick((active + (e.key === 'ArrowDown' ? 1 : candidates.length - 1)) % candidates.length);
        return true;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        if (e.shiftKey || e.isComposing) return false;
        e.preventDefault();
        choose(candidates[active]!);
        return true;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(q!.start);
        return true;
      }
      return false;
    },
  };
}

export function MentionList(props: { state: MentionState }) {
  const s = props.state;
  return (
    <>
      {s.open && (
        <ul class="canned-list mention-list" id="mention-list" role="listbox" aria-label={t.mentionSuggestions}>
          {s.candidates.map((c, i) => (
            <li
              key={c.id}
              id={`mention-${c.id}`}
              role="option"
              aria-selected={i === s.active}
              class="canned-item mention-item"
              onMouseDown={(e) => {
                e.preventDefault(); // the textarea keeps the focus
                s.choose(c);
              }}
            >
              <span class="mention-name">{c.name}</span> <code>@{c.handle}</code> <span class="muted mention-email">{c.email}</span>
            </li>
          ))}
        </ul>
      )}
      <span class="visually-hidden" role="status" aria-live="polite">
        {s.status}
      </span>
    </>
  );
}
