/**
 * The console's SLA clocks: the open conversations' deadlines (GET /api/sla/conversations, then
 * `sla` frames) and the breaches heard on the agent socket (`slaBreach` frames). A small store
 * outside the inbox state, so the countdowns re-render each second without re-rendering the inbox.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationSlaView, SlaBreachView } from '../../protocol/sla.js';
import type { SlaBreachEvent, SlaEvent } from '../../protocol/realtime.js';
import type { ApiClient } from './api.js';

const clocks = new Map<string, ConversationSlaView>();
let breaches: SlaBreachView[] = [];
const listeners = new Set<() => void>();
let ticker: ReturnType<typeof setInterval> | undefined;
let now = Date.now();

function changed(): void {
  listeners.forEach((l) => l());
}

/** Replaces every clock with the server's list (first load and after each reconnect). */
export async function loadSla(api: ApiClient): Promise<void> {
  try {
    const r = await api.request<{ items: ConversationSlaView[] }>('GET', '/api/sla/conversations', undefined, true);
    clocks.clear();
    for (const s of r.items) clocks.set(s.conversationId, s);
    changed();
  } catch {
    /* no SLA for this agent or tenant: the list simply shows no countdown */
  }
}

export function slaFrame(frame: SlaEvent | SlaBreachEvent): void {
  if (frame.type === 'sla') clocks.set(frame.sla.conversationId, frame.sla);
  else breaches = [frame.breach, ...breaches.filter((b) => !(b.conversationId === frame.breach.conversationId && b.target === frame.breach.target))].slice(0, 5);
  changed();
}

export function dismissBreach(b: SlaBreachView): void {
  breaches = breaches.filter((x) => x !== b);
  changed();
}

/** Re-renders the caller on every change, and each second while it is mounted (the countdowns). */
function useSlaStore(tick: boolean): number {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    listeners.add(l);
    if (tick && !ticker)
      ticker = setInterval(() => {
        now = Date.now();
        changed();
      }, 1000);
    return () => {
      listeners.delete(l);
      if (listeners.size === 0 && ticker) ticker = void clearInterval(ticker);
    };
  }, [tick]);
  return now;
}

/** The clock to show for one conversation (the earliest deadline) and the time now. */
export function useSlaClock(conversationId: string): { clock: ConversationSlaView['clocks'][number] | null; now: number } {
  const at = useSlaStore(true);
  return { clock: clocks.get(conversationId)?.clocks[0] ?? null, now: Math.max(at, Date.now() - 1000) };
}

export function useSlaBreaches(): SlaBreachView[] {
  useSlaStore(false);
  return breaches;
}
