import { describe, expect, it } from 'vitest';
import { messageKind } from './messageKind.js';

describe('messageKind', () => {
  it('tells the five kinds apart', () => {
    expect(messageKind({ author: { kind: 'visitor', id: 'v1', name: 'Ann' }, internal: false })).toBe('visitor');
    expect(messageKind({ author: { kind: 'agent', id: 'a1', name: 'Bo' }, internal: false })).toBe('agent');
    expect(messageKind({ author: { kind: 'agent', id: 'a1', name: 'Bo' }, internal: true })).toBe('note');
    expect(messageKind({ author: { kind: 'system', id: 'bot', name: 'Assistant' }, internal: false })).toBe('bot');
    expect(messageKind({ author: { kind: 'system', id: 'system', name: 'Parley' }, internal: false })).toBe('system');
    // Older events stored without an id are notices, never the bot.
    expect(messageKind({ author: { kind: 'system', id: null, name: 'Parley' }, internal: false })).toBe('system');
  });
});
