import { describe, expect, it } from 'vitest';
import type { TeamView } from '../../../protocol/contactCentre.js';
import { exposureQuery } from './adminApi.js';
import { localPatternProblem, patternIndexOf } from './privacy.js';
import { draftFromTeam, draftProblems, draftToBody, emptyDraft, hoursSummary, validTimeZone } from './teamDraft.js';

const team: TeamView = {
  id: 't1',
  name: 'Billing',
  strategy: 'least_busy',
  isDefault: true,
  timeZone: 'Europe/Paris',
  weeklyHours: { mon: [['09:00', '17:30']], fri: [['10:00', '12:00']] },
  holidays: ['2025-12-25'],
  notifyEmail: 'billing@shop.example',
  memberIds: ['a1', 'a2'],
  routingRules: [{ attribute: 'plan', value: 'gold', verifiedOnly: true }],
  openNow: false,
};

describe('team editor', () => {
  it('round-trips a team through the draft to the API body', () => {
    expect(draftToBody(draftFromTeam(team))).toEqual({
      name: 'Billing',
      strategy: 'least_busy',
      isDefault: true,
      timeZone: 'Europe/Paris',
      weeklyHours: { mon: [['09:00', '17:30']], fri: [['10:00', '12:00']] },
      holidays: ['2025-12-25'],
      notifyEmail: 'billing@shop.example',
      memberIds: ['a1', 'a2'],
      routingRules: [{ attribute: 'plan', value: 'gold', verifiedOnly: true }],
    });
    expect(draftToBody({ ...draftFromTeam(team), alwaysOpen: true, notifyEmail: ' ' })).toMatchObject({ weeklyHours: null, notifyEmail: null });
  });

  it('starts with weekdays 09:00–17:00 and refuses unknown zones and reversed hours', () => {
    const d = emptyDraft('America/New_York');
    expect(draftToBody({ ...d, name: 'x' }).weeklyHours).toEqual({ mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] });
    expect(draftProblems(d)).toEqual([]);
    expect(validTimeZone('Mars/Olympus')).toBe(false);
    expect(draftProblems({ ...d, timeZone: 'Mars/Olympus' })).toHaveLength(1);
    expect(draftProblems({ ...d, days: { ...d.days, mon: { open: true, from: '18:00', to: '09:00' } } })).toHaveLength(1);
    // Routing rules: one naming nothing, or a value without attribute, is a problem; blanks are left out.
    expect(draftProblems({ ...d, routingRules: [{ verifiedOnly: false }] })).toHaveLength(1);
    expect(draftProblems({ ...d, routingRules: [{ value: 'gold', verifiedOnly: false }] })).toHaveLength(1);
    expect(draftToBody({ ...d, name: 'x', routingRules: [{ page: ' checkout ', attribute: '', value: '', verifiedOnly: false }] }).routingRules).toEqual([{ page: 'checkout', verifiedOnly: false }]);
    // Reversed hours on a closed day, or with the team always open, do not matter.
    expect(draftProblems({ ...d, alwaysOpen: true, days: { ...d.days, mon: { open: true, from: '18:00', to: '09:00' } } })).toEqual([]);
  });

  it('summarises hours for the table', () => {
    expect(hoursSummary(team)).toBe('Mon 09:00–17:30 · Fri 10:00–12:00');
    const week = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], sat: [['10:00', '12:00']] } as TeamView['weeklyHours'];
    expect(hoursSummary({ ...team, weeklyHours: week })).toBe('Mon–Wed 09:00–17:00 · Sat 10:00–12:00');
    expect(hoursSummary({ ...team, weeklyHours: null })).not.toContain(':');
  });
});

describe('privacy settings', () => {
  it('checks patterns locally and finds the pattern a server error names', () => {
    expect(localPatternProblem('ORD-\\d{6}')).toBeNull();
    expect(localPatternProblem('([unclosed')).not.toBeNull();
    expect(localPatternProblem('a'.repeat(201))).not.toBeNull();
    expect(patternIndexOf('pattern 2 repeats a group that contains a quantifier (catastrophic backtracking)')).toBe(1);
    expect(patternIndexOf('body/redactionPatterns/0 must NOT have more than 200 characters')).toBe(0);
    expect(patternIndexOf('at most 20 patterns')).toBeNull();
  });

  it('builds the exposure query without empty filters', () => {
    expect(exposureQuery({ actor: ' ag_1 ', credential: '', address: '10.0.0.1' })).toBe('/api/admin/exposure?actor=ag_1&address=10.0.0.1');
    expect(exposureQuery({ credential: 'key:*' }, 'csv')).toBe('/api/admin/exposure?credential=key%3A*&format=csv');
  });
});
