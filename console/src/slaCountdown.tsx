/**
 * Service levels in the inbox: the live countdown of a conversation's nearest SLA deadline (red once
 * it has passed) and the alerts that announce a breach heard on the agent socket.
 */
import type { SlaBreachView } from '../../protocol/sla.js';
import { t } from './i18n.js';
import { dismissBreach, useSlaBreaches, useSlaClock } from './slaStore.js';

/** "4:05" under an hour, "3 h 05" under two days, then days. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}:${String(s % 60).padStart(2, '0')}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')}`;
  return t.slaDays(Math.floor(h / 24));
}

export function SlaCountdown(props: { conversationId: string }) {
  const { clock, now } = useSlaClock(props.conversationId);
  if (!clock) return null;
  const left = Date.parse(clock.dueAt) - now;
  const late = clock.breachedAt !== null || left <= 0;
  const text = late ? t.slaOverdue(clock.target, shortDuration(-left)) : t.slaDueIn(clock.target, shortDuration(left));
  return (
    <span class={`sla-chip${late ? ' is-breached' : left < 5 * 60_000 ? ' is-soon' : ''}`} data-sla-target={clock.target} title={text}>
      <span aria-hidden="true">{late ? '!' : '⏱'}</span> {late ? `-${shortDuration(-left)}` : shortDuration(left)}
      <span class="visually-hidden">{text}</span>
    </span>
  );
}

/** Breach alerts, newest first; `nameOf` gives the visitor's name of a conversation. */
export function SlaBreachAlerts(props: { nameOf: (conversationId: string) => string; onOpen: (conversationId: string) => void }) {
  const list = useSlaBreaches();
  if (list.length === 0) return null;
  return (
    <div class="sla-alerts" role="alert" aria-label={t.slaBreachTitle}>
      {list.map((b: SlaBreachView) => (
        <div class="sla-alert" key={`${b.conversationId}:${b.target}`}>
          <strong>{t.slaBreachTitle}</strong>
          <span>{t.slaBreachText(b.target, props.nameOf(b.conversationId), b.policy.name)}</span>
          <button
            type="button"
            class="btn btn-secondary btn-sm"
            onClick={() => {
              dismissBreach(b);
              props.onOpen(b.conversationId);
            }}
          >
            {t.slaBreachOpen}
          </button>
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => dismissBreach(b)}>
            {t.slaBreachDismiss}
          </button>
        </div>
      ))}
    </div>
  );
}
