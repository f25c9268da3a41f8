import type { MessageView } from './records.js';

/**
 * How a message is shown, by who wrote it: the visitor, an agent, the knowledge-base bot, Parley
 * itself (an event such as a handoff or a transfer), or an agent's private note. Widget and console
 * give each kind its own look, so a bot answer or an event never reads as a person's reply.
 */
export type MessageKind = 'visitor' | 'agent' | 'bot' | 'system' | 'note';

export function messageKind(m: Pick<MessageView, 'author' | 'internal'>): MessageKind {
  if (m.internal) return 'note';
  if (m.author.kind === 'system') return m.author.id === 'bot' ? 'bot' : 'system';
  return m.author.kind;
}
