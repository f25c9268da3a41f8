/**
 * Collision detection in the console (issue 20): tells the server which conversation is open (again
 * every 15 s), and keeps who else views or types in each conversation from `activity` frames,
 * forgetting entries not refreshed within ACTIVITY_TTL_MS.
 */
import { useEffect, useState } from 'preact/hooks';
import { ACTIVITY_TTL_MS, type ActivityEvent } from '../../protocol/productivity.js';

export interface Colleague {
  id: string;
  name: string;
  state: 'viewing' | 'typing';
  at: number;
}
type Seen = Record<string, Record<string, Colleague>>;

export function applyActivity(seen: Seen, f: ActivityEvent, now: number): Seen {
  const inConv = { ...(seen[f.conversationId] ?? {}) };
  if (f.state === 'left') delete inConv[f.agent.id];
  else inConv[f.agent.id] = { id: f.agent.id, name: f.agent.name, state: f.state, at: now };
  return { ...seen, [f.conversationId]: inConv };
}

export function colleaguesIn(seen: Seen, conversationId: string | null, now: number): Colleague[] {
  if (!conversationId) return [];
  return Object.values(seen[conversationId] ?? {}).filter((c) => now - c.at < ACTIVITY_TTL_MS);
}

export function useCollision(openId: string | null, notify: (frame: { type: 'viewing'; conversationId: string | null }) => void, connected: boolean) {
  const [seen, setSeen] = useState<Seen>({});
  useEffect(() => {
    if (!connected) return;
    notify({ type: 'viewing', conversationId: openId });
    const h = setInterval(() => notify({ type: 'viewing', conversationId: openId }), 15_000);
    return () => clearInterval(h);
  }, [openId, connected]);
  const onActivity = (f: ActivityEvent) => setSeen((s) => applyActivity(s, f, Date.now()));
  return { seen, onActivity };
}
