import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { LabelBody, MacroBody, type MacroView } from '../../../protocol/productivity.js';
import type { SessionInfo } from '../../../protocol/http.js';
import { sectionsFor } from './AdminArea.js';
import { emptyMacroDraft, labelBody, labelProblems, macroBody, macroDraftFrom, macroProblems, macrosNaming, stepLines } from './macroDraft.js';

const macro: MacroView = {
  id: 'm1',
  name: 'Refund sent',
  actions: [
    { type: 'reply', body: 'Hi {{visitor.name}}, your refund is on its way.' },
    { type: 'label', labelId: 'l1' },
    { type: 'label', labelId: 'l2' },
    { type: 'priority', priority: 'high' },
    { type: 'assign', agentId: 'me' },
    { type: 'status', status: 'resolved' },
  ],
};

describe('macro editor', () => {
  it('round-trips a macro through the form to a body the server accepts', () => {
    const body = macroBody(macroDraftFrom(macro));
    expect(body).toEqual({ name: 'Refund sent', actions: macro.actions });
    expect(Value.Check(MacroBody, body)).toBe(true);
    expect(macroProblems(macroDraftFrom(macro))).toEqual([]);
  });

  it('encodes each assignee choice', () => {
    const d = { ...emptyMacroDraft(), name: 'x' };
    expect(macroBody({ ...d, assign: 'nobody' }).actions).toEqual([{ type: 'assign', agentId: null }]);
    expect(macroBody({ ...d, assign: 'agent:agt_1' }).actions).toEqual([{ type: 'assign', agentId: 'agt_1' }]);
    expect(macroDraftFrom({ id: 'm', name: 'x', actions: [{ type: 'assign', agentId: 'agt_1' }] }).assign).toBe('agent:agt_1');
    expect(macroDraftFrom({ id: 'm', name: 'x', actions: [{ type: 'assign', agentId: null }] }).assign).toBe('nobody');
  });

  it('says what is wrong before asking the server', () => {
    expect(macroProblems(emptyMacroDraft())).toEqual(['Give the macro a name.', expect.stringContaining('at least one thing')]);
    expect(macroProblems({ ...emptyMacroDraft(), name: '   ', reply: 'hi' })).toEqual(['Give the macro a name.']);
    expect(macroProblems({ ...emptyMacroDraft(), name: 'x', reply: 'a'.repeat(4001) })).toEqual(['The reply is 1 character too long.']);
    const eleven = { ...emptyMacroDraft(), name: 'x', reply: 'hi', labelIds: Array.from({ length: 10 }, (_, i) => `l${i}`) };
    expect(macroProblems(eleven)).toEqual([expect.stringContaining('at most 10 steps')]);
    // What the form lets through, the server's schema accepts.
    expect(Value.Check(MacroBody, macroBody({ ...eleven, labelIds: eleven.labelIds.slice(1) }))).toBe(true);
  });

  it('describes each step, and flags a label or agent that is gone', () => {
    const lines = stepLines(macro, [{ id: 'l1', name: 'VIP', color: '#2563eb' }], [], (p) => p.toUpperCase());
    expect(lines.map((l) => l.text)).toEqual([
      'Replies “Hi {{visitor.name}}, your refund is on its way.”',
      'Adds the label VIP',
      'Adds a deleted label: edit the macro',
      'Sets the priority to HIGH',
      'Assigns to the agent applying it',
      'Resolves',
    ]);
    expect(lines.map((l) => l.broken)).toEqual([false, false, true, false, false, false]);
    expect(stepLines({ id: 'm', name: 'x', actions: [{ type: 'assign', agentId: 'gone' }] }, [], [], String)[0]).toEqual({ text: 'Assigns to a removed agent: edit the macro', broken: true });
    expect(macrosNaming([macro], 'l2')).toBe(1);
    expect(macrosNaming([macro], 'l9')).toBe(0);
  });
});

describe('label editor', () => {
  it('normalises the name and colour, and refuses what the server would', () => {
    const body = labelBody({ name: '  Needs   refund ', color: '#AABBCC' });
    expect(body).toEqual({ name: 'Needs refund', color: '#aabbcc' });
    expect(Value.Check(LabelBody, body)).toBe(true);
    expect(labelProblems({ name: ' ', color: '#2563eb' })).toEqual(['Give the label a name.']);
    expect(labelProblems({ name: 'x'.repeat(41), color: '#2563eb' })).toEqual(['A label name has at most 40 characters.']);
    expect(labelProblems({ name: 'VIP', color: 'blue' })).toEqual(['The colour is a code like #2563eb.']);
    expect(labelProblems({ name: 'VIP', color: '#2563eb' })).toEqual([]);
  });
});

describe('who edits labels and macros', () => {
  it('supervisors and admins have the two sections (agents have no admin area: app.tsx)', () => {
    const as = (role: string) => ({ agent: { role }, security: { operator: false } }) as unknown as SessionInfo;
    expect(sectionsFor(as('supervisor'))).toEqual(['analytics', 'sla', 'labels', 'macros']);
    expect(sectionsFor(as('admin'))).toEqual(expect.arrayContaining(['labels', 'macros']));
  });
});
