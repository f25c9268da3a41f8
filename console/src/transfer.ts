/**
 * What the transfer control offers (unit-tested in transfer.test.ts): teams, then agents who can
 * take a chat now, then the offline ones (shown, marked, not choosable: nobody would answer). Two
 * agents with the same name are told apart by their email.
 */
import type { AgentPresenceView, TeamView } from '../../protocol/contactCentre.js';
import type { ConversationView } from '../../protocol/records.js';
import type { Messages } from './i18n.js';

export interface TransferOption {
  value: string;
  label: string;
  disabled: boolean;
}

export interface TransferChoices {
  teams: TransferOption[];
  agents: TransferOption[];
  offline: TransferOption[];
  /** Shown beside the control when there is no team to transfer to. */
  noTeamsHint: boolean;
}

export function transferChoices(c: Pick<ConversationView, 'assignee' | 'team'>, presence: AgentPresenceView[], teams: TeamView[], t: Messages): TransferChoices {
  const names = new Map<string, number>();
  for (const a of presence) names.set(a.name.trim().toLowerCase(), (names.get(a.name.trim().toLowerCase()) ?? 0) + 1);
  const who = (a: AgentPresenceView) => ((names.get(a.name.trim().toLowerCase()) ?? 0) > 1 ? `${a.name} (${a.email})` : a.name);
  const status = { online: t.presenceOnline, away: t.presenceAway, offline: t.presenceOffline } as const;
  const others = presence.filter((a) => a.id !== c.assignee?.id);
  return {
    teams: teams.map((team) => ({ value: `t:${team.id}`, label: team.name, disabled: c.team?.id === team.id && !c.assignee })),
    agents: others
      .filter((a) => a.status !== 'offline')
      .map((a) => ({ value: `a:${a.id}`, label: `${who(a)} — ${status[a.status]} (${t.chatsLoad(a.activeChats, a.maxChats)})`, disabled: false })),
    offline: others.filter((a) => a.status === 'offline').map((a) => ({ value: `a:${a.id}`, label: `${who(a)} — ${status.offline}`, disabled: true })),
    noTeamsHint: teams.length === 0,
  };
}
