/**
 * Inbox filters and bulk actions (issue 20): filter the open conversations by label and priority,
 * sort by priority, show the snoozed ones; tick several and assign them to yourself, label or
 * resolve them at once (POST /api/conversations/bulk: all or nothing).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationView } from '../../protocol/records.js';
import type { LabelView, Priority } from '../../protocol/productivity.js';
import { visitorName } from './format.js';
import { t } from './i18n.js';
import type { InboxFilterQuery, ProductivityApi } from './productivityApi.js';

const NONE: InboxFilterQuery = { snoozed: false, label: '', priority: '', sort: 'recent' };
const PRIORITY_TEXT = (p: Priority) => ({ low: t.priorityLow, normal: t.priorityNormal, high: t.priorityHigh, urgent: t.priorityUrgent })[p];

export function useInboxFilter(props: { api: ProductivityApi; labels: LabelView[]; meId: string; openId: string | null; onOpen: (id: string) => void; onError: (err: unknown) => void; version: number }) {
  const [f, setF] = useState<InboxFilterQuery>(NONE);
  const [items, setItems] = useState<ConversationView[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  const active = f.snoozed || !!f.label || !!f.priority || f.sort === 'priority';
  const reload = () => (active ? props.api.list(f).then((r) => setItems(r.items), props.onError) : setItems([]));
  useEffect(() => {
    void reload();
  }, [f.snoozed, f.label, f.priority, f.sort, props.version]);
  const set = (patch: Partial<InboxFilterQuery>) => {
    setPicked([]);
    setF({ ...f, ...patch });
  };
  const bulk = (action: Parameters<ProductivityApi['bulk']>[1]) =>
    props.api.bulk(picked, action).then(() => {
      setPicked([]);
      void reload();
    }, props.onError);

  const controls = (
    <div class="inbox-filter">
      <select id="filter-label" aria-label={t.filterLabel} value={f.label} onChange={(e) => set({ label: (e.target as HTMLSelectElement).value })}>
        <option value="">{t.filterAnyLabel}</option>
        {props.labels.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
      <select id="filter-priority" aria-label={t.priorityLabel} value={f.priority} onChange={(e) => set({ priority: (e.target as HTMLSelectElement).value as Priority | '' })}>
        <option value="">{t.priorityLabel}</option>
        {(['urgent', 'high', 'normal', 'low'] as const).map((p) => (
          <option key={p} value={p}>
            {PRIORITY_TEXT(p)}
          </option>
        ))}
      </select>
      <select id="filter-sort" aria-label={t.sortLabel} value={f.sort} onChange={(e) => set({ sort: (e.target as HTMLSelectElement).value as 'recent' | 'priority' })}>
        <option value="recent">{t.sortRecent}</option>
        <option value="priority">{t.sortPriority}</option>
      </select>
      <label class="filter-snoozed">
        <input type="checkbox" checked={f.snoozed} onChange={(e) => set({ snoozed: (e.target as HTMLInputElement).checked })} />
        {t.tabSnoozed}
      </label>
    </div>
  );

  const list = active ? (
    <div class="list-wrap" id="filtered-list">
      {picked.length > 0 && (
        <div class="bulk-bar" role="group" aria-label={t.bulkSelected(picked.length)}>
          <span>{t.bulkSelected(picked.length)}</span>
          <button type="button" class="btn btn-secondary btn-sm" onClick={() => bulk({ type: 'assign', agentId: props.meId })}>
            {t.bulkAssignMe}
          </button>
          <button type="button" class="btn btn-success btn-sm" onClick={() => bulk({ type: 'resolve' })}>
            {t.bulkResolve}
          </button>
          <select
            aria-label={t.bulkLabel}
            value=""
            onChange={(e) => {
              const id = (e.target as HTMLSelectElement).value;
              if (id) void bulk({ type: 'label', labelId: id });
            }}
          >
            <option value="">{t.bulkLabel}</option>
            {props.labels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => setPicked([])}>
            {t.bulkClear}
          </button>
        </div>
      )}
      <ul class="conv-list filtered" aria-label={t.conversations}>
        {items.map((c) => {
          const name = visitorName(c.visitor, t);
          return (
            <li key={c.id} class={`filtered-item${c.id === props.openId ? ' is-open' : ''}`}>
              <input
                type="checkbox"
                aria-label={t.selectConversationFor(name)}
                checked={picked.includes(c.id)}
                onChange={(e) => setPicked((e.target as HTMLInputElement).checked ? [...picked, c.id] : picked.filter((x) => x !== c.id))}
              />
              <button type="button" class="filtered-open" onClick={() => props.onOpen(c.id)}>
                <strong>{name}</strong>
                {c.priority && c.priority !== 'normal' && <span class={`pill pill-prio-${c.priority}`}>{PRIORITY_TEXT(c.priority)}</span>}
                {(c.labels ?? []).map((l) => (
                  <span key={l.id} class="label-chip small" style={{ borderColor: l.color }}>
                    {l.name}
                  </span>
                ))}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  ) : null;
  return { controls, list };
}
