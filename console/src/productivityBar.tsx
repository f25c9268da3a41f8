/**
 * Under the open conversation's header (issue 20): its labels, priority, snooze, a macro to apply,
 * and the colleagues viewing or typing in it right now (collision detection).
 */
import { useState } from 'preact/hooks';
import type { ConversationView } from '../../protocol/records.js';
import type { LabelView, MacroView, Priority } from '../../protocol/productivity.js';
import { newClientId } from '../../clients/js/src/reconnectingSocket.js';
import { locale, t } from './i18n.js';
import type { ProductivityApi } from './productivityApi.js';
import type { Colleague } from './useCollision.js';

const PRIORITY_TEXT = (p: Priority) => ({ low: t.priorityLow, normal: t.priorityNormal, high: t.priorityHigh, urgent: t.priorityUrgent })[p];

function tomorrowNine(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.toISOString();
}

export function ProductivityBar(props: {
  conversation: ConversationView;
  api: ProductivityApi;
  labels: LabelView[];
  macros: MacroView[];
  colleagues: Colleague[];
  onChanged: (c: ConversationView) => void;
  onError: (err: unknown) => void;
  onInfo: (text: string) => void;
}) {
  const c = props.conversation;
  const [macroId, setMacroId] = useState('');
  const run = (p: Promise<ConversationView>) => p.then(props.onChanged, props.onError);
  const mine = new Set((c.labels ?? []).map((l) => l.id));
  return (
    <div class="prod-bar">
      {props.colleagues.length > 0 && (
        <p class="colleagues" role="status" aria-live="polite">
          {props.colleagues.map((x) => (x.state === 'typing' ? t.colleagueTyping(x.name) : t.colleagueViewing(x.name))).join(' · ')}
        </p>
      )}
      <div class="prod-row">
        <ul class="label-chips" aria-label={t.labelsTitle}>
          {(c.labels ?? []).map((l) => (
            <li key={l.id} class="label-chip" style={{ borderColor: l.color }}>
              <span class="label-dot" style={{ background: l.color }} aria-hidden="true" />
              {l.name}
              <button type="button" class="chip-x" aria-label={t.removeLabel(l.name)} onClick={() => run(props.api.removeLabel(c.id, l.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <select
          id="add-label"
          aria-label={t.addLabel}
          value=""
          onChange={(e) => {
            const id = (e.target as HTMLSelectElement).value;
            if (id) run(props.api.addLabel(c.id, id));
          }}
        >
          <option value="">{t.addLabel}</option>
          {props.labels
            .filter((l) => !mine.has(l.id))
            .map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
        </select>
        <select id="priority" aria-label={t.priorityLabel} value={c.priority ?? 'normal'} onChange={(e) => run(props.api.priority(c.id, (e.target as HTMLSelectElement).value as Priority))}>
          {(['low', 'normal', 'high', 'urgent'] as const).map((p) => (
            <option key={p} value={p}>
              {t.priorityLabel}: {PRIORITY_TEXT(p)}
            </option>
          ))}
        </select>
        {c.status === 'open' &&
          (c.snoozed ? (
            <span class="snoozed">
              {c.snoozedUntil ? t.snoozedUntil(new Date(c.snoozedUntil).toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short' })) : t.snoozedReply}
              <button type="button" class="btn btn-ghost btn-sm" onClick={() => run(props.api.unsnooze(c.id))}>
                {t.unsnooze}
              </button>
            </span>
          ) : (
            <select
              id="snooze"
              aria-label={t.snoozeLabel}
              value=""
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                if (v) run(props.api.snooze(c.id, v === 'reply' ? null : v === 'hour' ? new Date(Date.now() + 3_600_000).toISOString() : tomorrowNine()));
              }}
            >
              <option value="">{t.snoozeLabel}</option>
              <option value="hour">{t.snoozeHour}</option>
              <option value="tomorrow">{t.snoozeTomorrow}</option>
              <option value="reply">{t.snoozeReply}</option>
            </select>
          ))}
        {props.macros.length > 0 && (
          <span class="macro-pick">
            <select id="macro" aria-label={t.macroLabel} value={macroId} onChange={(e) => setMacroId((e.target as HTMLSelectElement).value)}>
              <option value="">{t.macroLabel}</option>
              {props.macros.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
            <button
              type="button"
              class="btn btn-secondary btn-sm"
              id="apply-macro"
              disabled={!macroId}
              title={t.applyMacroLabel}
              onClick={() => {
                const m = props.macros.find((x) => x.id === macroId);
                props.api.applyMacro(c.id, macroId, newClientId()).then((r) => {
                  props.onChanged(r.conversation);
                  setMacroId('');
                  if (m) props.onInfo(t.macroApplied(m.name));
                }, props.onError);
              }}
            >
              {t.applyMacro}
            </button>
          </span>
        )}
      </div>
    </div>
  );
}
