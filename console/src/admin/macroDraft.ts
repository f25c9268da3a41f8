/**
 * The macro and label editors' logic, pure (unit-tested in productivityAdmin.test.ts): a macro's
 * saved steps ↔ the form's fields, the problems the form shows before asking the server (the same
 * limits as protocol/productivity.ts), and the one-line description of each step for the list.
 */
import { LIMITS } from '../../../protocol/limits.js';
import type { LabelBody, LabelView, MacroAction, MacroBody, MacroView, Priority } from '../../../protocol/productivity.js';
import { t } from '../i18n.js';

export const LABEL_NAME_MAX = 40;
export const MACRO_NAME_MAX = 80;
export const MACRO_MAX_STEPS = 10;
export const DEFAULT_LABEL_COLOR = '#2563eb';

/** `assign`: '' no change, 'me' the agent applying it, 'nobody' unassign, 'agent:<id>' one agent. */
export interface MacroDraft {
  name: string;
  reply: string;
  labelIds: string[];
  assign: string;
  status: '' | 'open' | 'resolved';
  priority: '' | Priority;
}

export const emptyMacroDraft = (): MacroDraft => ({ name: '', reply: '', labelIds: [], assign: '', status: '', priority: '' });

export function macroDraftFrom(m: MacroView): MacroDraft {
  const d = emptyMacroDraft();
  d.name = m.name;
  for (const a of m.actions) {
    if (a.type === 'reply') d.reply = a.body;
    else if (a.type === 'label') d.labelIds = d.labelIds.includes(a.labelId) ? d.labelIds : [...d.labelIds, a.labelId];
    else if (a.type === 'assign') d.assign = a.agentId === null ? 'nobody' : a.agentId === 'me' ? 'me' : `agent:${a.agentId}`;
    else if (a.type === 'status') d.status = a.status;
    else if (a.type === 'priority') d.priority = a.priority;
  }
  return d;
}

/** The steps in the order they read: reply, labels, priority, assignee, status. */
export function macroActions(d: MacroDraft): MacroAction[] {
  const out: MacroAction[] = [];
  if (d.reply.trim()) out.push({ type: 'reply', body: d.reply.trim() });
  for (const labelId of d.labelIds) out.push({ type: 'label', labelId });
  if (d.priority) out.push({ type: 'priority', priority: d.priority });
  if (d.assign) out.push({ type: 'assign', agentId: d.assign === 'nobody' ? null : d.assign === 'me' ? 'me' : d.assign.slice('agent:'.length) });
  if (d.status) out.push({ type: 'status', status: d.status });
  return out;
}

export const macroBody = (d: MacroDraft): MacroBody => ({ name: d.name.trim(), actions: macroActions(d) });

export function macroProblems(d: MacroDraft): string[] {
  const out: string[] = [];
  const name = d.name.trim();
  if (!name) out.push(t.macNameRequired);
  else if (name.length > MACRO_NAME_MAX) out.push(t.macNameTooLong(MACRO_NAME_MAX));
  const over = d.reply.trim().length - LIMITS.maxMessageChars;
  if (over > 0) out.push(t.macReplyTooLong(over));
  const steps = macroActions(d).length;
  if (steps === 0) out.push(t.macNoSteps);
  else if (steps > MACRO_MAX_STEPS) out.push(t.macTooManySteps(MACRO_MAX_STEPS));
  return out;
}

export interface LabelDraft {
  name: string;
  color: string;
}

export const labelBody = (d: LabelDraft): LabelBody => ({ name: d.name.trim().replace(/\s+/g, ' '), color: d.color.trim().toLowerCase() });

export function labelProblems(d: LabelDraft): string[] {
  const out: string[] = [];
  const name = d.name.trim();
  if (!name) out.push(t.lblNameRequired);
  else if (name.length > LABEL_NAME_MAX) out.push(t.lblNameTooLong(LABEL_NAME_MAX));
  if (!/^#[0-9a-f]{6}$/i.test(d.color.trim())) out.push(t.lblColorInvalid);
  return out;
}

/** How many of the macros add the label (they fail once it is deleted, until edited). */
export const macrosNaming = (macros: readonly MacroView[], labelId: string): number => macros.filter((m) => m.actions.some((a) => a.type === 'label' && a.labelId === labelId)).length;

export interface StepLine {
  text: string;
  /** The step names a label or an agent that is gone: applying the macro is refused until it is edited. */
  broken: boolean;
}

const REPLY_PREVIEW = 60;

export function stepLines(m: MacroView, labels: readonly LabelView[], agents: ReadonlyArray<{ id: string; name: string }>, priorityText: (p: Priority) => string): StepLine[] {
  return m.actions.map((a): StepLine => {
    switch (a.type) {
      case 'reply': {
        const one = a.body.replace(/\s+/g, ' ').trim();
        return { text: t.macStepReply(one.length > REPLY_PREVIEW ? `${one.slice(0, REPLY_PREVIEW - 1)}…` : one), broken: false };
      }
      case 'label': {
        const l = labels.find((x) => x.id === a.labelId);
        return l ? { text: t.macStepLabel(l.name), broken: false } : { text: t.macStepLabelGone, broken: true };
      }
      case 'assign': {
        if (a.agentId === null) return { text: t.macStepUnassign, broken: false };
        if (a.agentId === 'me') return { text: t.macStepAssignMe, broken: false };
        const who = agents.find((x) => x.id === a.agentId);
        return who ? { text: t.macStepAssign(who.name), broken: false } : { text: t.macStepAssignGone, broken: true };
      }
      case 'priority':
        return { text: t.macStepPriority(priorityText(a.priority)), broken: false };
      case 'status':
        return { text: a.status === 'resolved' ? t.macStepResolve : t.macStepOpen, broken: false };
    }
  });
}
