import { describe, expect, it } from 'vitest';
import type { AgentPresenceView, TeamView } from '../../protocol/contactCentre.js';
import { catalogs } from './i18n.js';
import { transferChoices } from './transfer.js';

const t = catalogs.en;
const agent = (id: string, name: string, email: string, status: AgentPresenceView['status']): AgentPresenceView => ({
  id,
  name,
  email,
  role: 'agent',
  status,
  chosen: status === 'away' ? 'away' : 'online',
  activeChats: 1,
  maxChats: 5,
  teamIds: [],
});

describe('transferChoices', () => {
  const presence = [
    agent('a1', 'Sam Lee', 'sam.lee@shop.example', 'online'),
    agent('a2', 'Sam Lee', 'sam.l@shop.example', 'away'),
    agent('a3', 'Olu', 'olu@shop.example', 'offline'),
    agent('me', 'Me', 'me@shop.example', 'online'),
  ];

  it('tells namesakes apart by email, and marks offline agents as not choosable', () => {
    const r = transferChoices({ assignee: { id: 'me', name: 'Me' }, team: null }, presence, [], t);
    expect(r.agents.map((o) => o.label)).toEqual(['Sam Lee (sam.lee@shop.example) — Online (1/5 chats)', 'Sam Lee (sam.l@shop.example) — Away (1/5 chats)']);
    expect(r.offline).toEqual([{ value: 'a:a3', label: 'Olu — Offline', disabled: true }]);
    expect(r.agents.some((o) => o.value === 'a:me')).toBe(false);
  });

  it('hints that a team must exist when there is none', () => {
    expect(transferChoices({ assignee: null, team: null }, presence, [], t).noTeamsHint).toBe(true);
    const teams = [{ id: 'tm1', name: 'Billing' } as TeamView];
    const r = transferChoices({ assignee: null, team: { id: 'tm1', name: 'Billing' } }, presence, teams, t);
    expect(r.noTeamsHint).toBe(false);
    // Already waiting in that team's queue: moving it there again does nothing.
    expect(r.teams).toEqual([{ value: 't:tm1', label: 'Billing', disabled: true }]);
  });
});
