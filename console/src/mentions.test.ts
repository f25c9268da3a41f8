import { describe, expect, it } from 'vitest';
import { mentionHandles } from '../../protocol/productivity.js';
import { handleFor, insertMention, matchMentions, mentionQuery } from './mentions.js';

const people = [
  { id: 'a1', name: 'Alex Admin', email: 'alex@shop.example' },
  { id: 'a2', name: 'Sam Lee', email: 'sam@shop.example' },
  { id: 'a3', name: 'Samira Ortiz', email: 'samira.ortiz@shop.example' },
  { id: 'a4', name: 'Zoë Ünal', email: "zo'e@shop.example" }, // no handle the server can read
  { id: 'a5', name: 'Ann Marie', email: "o'brien@shop.example" }, // the name without spaces then
];

describe('@mention autocomplete', () => {
  it('finds the @query before the caret, not in emails or after a space', () => {
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('ask @Sa', 7)).toEqual({ start: 4, query: 'sa' });
    expect(mentionQuery('ask @sa and more', 7)).toEqual({ start: 4, query: 'sa' });
    expect(mentionQuery('(@sam', 5)).toEqual({ start: 1, query: 'sam' });
    expect(mentionQuery('mail bob@shop', 13)).toBeNull();
    expect(mentionQuery('@sam then', 9)).toBeNull();
    expect(mentionQuery('no at sign', 10)).toBeNull();
  });

  it('offers colleagues whose handle or name starts with the query, handles first, never oneself', () => {
    expect(matchMentions(people, 'sam', 'a1').map((c) => c.handle)).toEqual(['sam', 'samira.ortiz']);
    expect(matchMentions(people, 'ortiz', 'a1').map((c) => c.id)).toEqual(['a3']);
    expect(matchMentions(people, '', 'a2').map((c) => c.id)).toEqual(['a1', 'a5', 'a3']);
    expect(matchMentions(people, 'zo', 'a1')).toEqual([]);
    expect(matchMentions(people, 'a', 'a1', 1)).toHaveLength(1);
  });

  it('inserts a handle the server reads back as the same colleague', () => {
    for (const p of people) {
      const handle = handleFor(p);
      if (!handle) continue;
      const r = insertMention('please @s check', 7, 9, handle);
      expect(mentionHandles(r.text)).toEqual([handle]);
    }
    expect(handleFor(people[3]!)).toBeNull();
    expect(handleFor(people[4]!)).toBe('annmarie');
  });

  it('replaces the query with the handle and a space, caret after it', () => {
    expect(insertMention('hi @sa', 3, 6, 'sam')).toEqual({ text: 'hi @sam ', caret: 8 });
    expect(insertMention('hi @sa there', 3, 6, 'sam')).toEqual({ text: 'hi @sam there', caret: 8 });
    expect(insertMention('@', 0, 1, 'alex')).toEqual({ text: '@alex ', caret: 6 });
  });
});
