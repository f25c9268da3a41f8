/**
 * The tenant's labels and macros in the console (issue 20): loaded at start and after every
 * reconnect, and kept up to date by the agent socket's `label` / `macro` frames, so an admin's edit
 * in another console shows in the label picker, the filters and the macro menu without a reload.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import type { LabelEvent, LabelView, MacroEvent, MacroView } from '../../protocol/productivity.js';
import type { ProductivityApi } from './productivityApi.js';

export type CatalogFrame = LabelEvent | MacroEvent;

const byName = (a: { name: string }, b: { name: string }) => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The list with one item put in (created or changed) or taken out (null), sorted by name, case ignored, as the server lists labels. Applying the same frame twice changes nothing. */
export function withItem<T extends { id: string; name: string }>(list: readonly T[], id: string, item: T | null): T[] {
  const rest = list.filter((x) => x.id !== id);
  return item ? [...rest, item].sort(byName) : rest;
}

export function applyCatalogFrame(lists: { labels: LabelView[]; macros: MacroView[] }, f: CatalogFrame): { labels: LabelView[]; macros: MacroView[] } {
  return f.type === 'label' ? { ...lists, labels: withItem(lists.labels, f.id, f.label) } : { ...lists, macros: withItem(lists.macros, f.id, f.macro) };
}

export interface Catalog {
  labels: LabelView[];
  macros: MacroView[];
  /** Loads both lists (at start, and after a reconnect: frames sent while the socket was down are lost). */
  reload(): void;
  onFrame(f: CatalogFrame): void;
}

export function useCatalog(prod: ProductivityApi): Catalog {
  const [lists, setLists] = useState<{ labels: LabelView[]; macros: MacroView[] }>({ labels: [], macros: [] });
  // Frames that arrive while a reload is in flight: its answer may predate them, so they are applied
  // again on top of it (idempotent).
  const sinceReload = useRef<CatalogFrame[] | null>(null);
  const reload = useCallback(() => {
    const since: CatalogFrame[] = [];
    sinceReload.current = since;
    // Each list on its own: one failing leaves the other (and the list held) in place.
    const labels = prod.labels().then((r) => setLists((cur) => since.reduce(applyCatalogFrame, { ...cur, labels: r.items })), () => {});
    const macros = prod.macros().then((r) => setLists((cur) => since.reduce(applyCatalogFrame, { ...cur, macros: r.items })), () => {});
    void Promise.all([labels, macros]).then(() => {
      if (sinceReload.current === since) sinceReload.current = null;
    });
  }, [prod]);
  const onFrame = useCallback((f: CatalogFrame) => {
    sinceReload.current?.push(f);
    setLists((cur) => applyCatalogFrame(cur, f));
  }, []);
  return { ...lists, reload, onFrame };
}
