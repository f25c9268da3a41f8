import { describe, expect, it } from 'vitest';
import { applyCatalogFrame, withItem } from './catalogLists.js';

const label = (id: string, name: string) => ({ id, name, color: '#2563eb' });

describe('label and macro frames applied to the console lists', () => {
  it('puts a created or changed item in its place by name (case ignored), takes a deleted one out, and does the same twice as once', () => {
    const list = [label('a', 'Refund'), label('b', 'VIP')];
    expect(withItem(list, 'c', label('c', 'loyal')).map((l) => l.name)).toEqual(['loyal', 'Refund', 'VIP']);
    expect(withItem(list, 'b', label('b', 'Gold')).map((l) => l.name)).toEqual(['Gold', 'Refund']);
    expect(withItem(list, 'a', null)).toEqual([label('b', 'VIP')]);
    expect(withItem(withItem(list, 'c', label('c', 'Zed')), 'c', label('c', 'Zed'))).toEqual([...list, label('c', 'Zed')]);
    expect(withItem(list, 'nope', null)).toEqual(list);
  });

  it('a label frame changes the labels only, a macro frame the macros only', () => {
    const lists = { labels: [label('a', 'Refund')], macros: [{ id: 'm', name: 'Close', actions: [{ type: 'status' as const, status: 'resolved' as const }] }] };
    expect(applyCatalogFrame(lists, { type: 'label', id: 'a', label: null })).toEqual({ labels: [], macros: lists.macros });
    expect(applyCatalogFrame(lists, { type: 'macro', id: 'm', macro: null })).toEqual({ labels: lists.labels, macros: [] });
  });
});
