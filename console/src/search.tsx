/**
 * Inbox search (GET /api/conversations/search?q=): a search box above the inbox tabs. While a
 * search is shown the sidebar lists its matches instead of the tabs; clearing returns to the tabs.
 */
import { useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../protocol/records.js';
import { t } from './i18n.js';

/** What the server accepts (1–200 characters); null when there is nothing to search for. */
export function searchTerm(raw: string): string | null {
  const q = raw.trim().replace(/\s+/g, ' ');
  return q ? q.slice(0, 200) : null;
}

export function SearchBox(props: { onSearch: (q: string) => Promise<ConversationView[]>; onResults: (r: { q: string; items: ConversationView[] } | null) => void; onError: (err: unknown) => void }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);
  const clear = () => {
    seq.current++;
    setValue('');
    setBusy(false);
    props.onResults(null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const q = searchTerm(value);
    if (!q) return clear();
    const mine = ++seq.current;
    setBusy(true);
    try {
      const items = await props.onSearch(q);
      if (mine === seq.current) props.onResults({ q, items });
    } catch (err) {
      if (mine === seq.current) props.onError(err);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  };
  return (
    <form class="inbox-search" role="search" onSubmit={submit}>
      <label for="inbox-search" class="visually-hidden">
        {t.searchLabel}
      </label>
      <input
        id="inbox-search"
        type="search"
        maxLength={200}
        placeholder={t.searchPlaceholder}
        value={value}
        onInput={(e) => {
          setValue(e.currentTarget.value);
          if (!e.currentTarget.value) clear();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            e.preventDefault();
            clear();
          }
        }}
      />
      <button type="submit" class="btn btn-secondary btn-sm" disabled={busy} aria-busy={busy ? 'true' : undefined}>
        {busy ? t.searching : t.search}
      </button>
      {value && (
        <button type="button" class="btn btn-ghost btn-sm" id="inbox-search-clear" onClick={clear} title={t.searchClearLabel}>
          {t.searchClear}
        </button>
      )}
    </form>
  );
}
