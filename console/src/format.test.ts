import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../protocol/records.js';
import { initials, preview, relativeTime, safeHttpUrl, shortId, visitorName } from './format.js';
import { catalogs } from './i18n.js';
import { browserLabel, parseUserAgent } from './ua.js';

const t = catalogs.en;

describe('relativeTime', () => {
  const now = Date.parse('2025-03-10T12:00:00Z');
  it('formats compactly', () => {
    expect(relativeTime('2025-03-10T11:59:30Z', now, t, 'en-GB')).toBe('now');
    expect(relativeTime('2025-03-10T11:55:00Z', now, t, 'en-GB')).toBe('5m');
    expect(relativeTime('2025-03-10T09:00:00Z', now, t, 'en-GB')).toBe('3h');
    expect(relativeTime('2025-03-08T12:00:00Z', now, t, 'en-GB')).toBe('2d');
    expect(relativeTime('2025-02-01T12:00:00Z', now, t, 'en-GB')).toBe('1 Feb');
    expect(relativeTime('nonsense', now, t, 'en-GB')).toBe('');
  });
});

describe('visitor naming', () => {
  it('falls back to Visitor + short id', () => {
    const v = { id: 'vis_01HXYZabc123', name: null, email: null, currentPage: null, userAgent: null, createdAt: '' };
    expect(shortId(v.id)).toBe('ABC123');
    expect(visitorName(v, t)).toBe('Visitor #ABC123');
    expect(visitorName({ ...v, name: '  Ada Lovelace ' }, t)).toBe('Ada Lovelace');
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Visitor #ABC123')).toBe('V');
  });
});

describe('preview', () => {
  it('collapses whitespace, truncates and labels notes', () => {
    const base = { lastMessage: { body: 'a\n\n b', internal: false, author: { kind: 'visitor', id: null, name: 'V' } } } as unknown as ConversationView;
    expect(preview(base, t)).toBe('a b');
    const note = { lastMessage: { body: 'check refund', internal: true, author: { kind: 'agent', id: '1', name: 'Sam Lee' } } } as unknown as ConversationView;
    expect(preview(note, t)).toBe('Note: check refund');
    const long = { lastMessage: { body: 'x'.repeat(200), internal: false, author: { kind: 'visitor', id: null, name: 'V' } } } as unknown as ConversationView;
    expect(preview(long, t, null, 10)).toBe('xxxxxxxxx…');
    const agent = { lastMessage: { body: 'on it', internal: false, author: { kind: 'agent', id: 'me', name: 'Sam Lee' } } } as unknown as ConversationView;
    expect(preview(agent, t, 'other')).toBe('Sam: on it');
    expect(preview(agent, t, 'me')).toBe('You: on it');
    expect(preview({ lastMessage: null } as unknown as ConversationView, t)).toBe(t.noMessagesYet);
  });
});

describe('safeHttpUrl', () => {
  it('accepts only http(s)', () => {
    expect(safeHttpUrl('https://shop.example/checkout')).toBe('https://shop.example/checkout');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,hi')).toBeNull();
    expect(safeHttpUrl('/relative')).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});

describe('parseUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'Chrome', '124', 'macOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51', 'Edge', '124', 'Windows'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox', '125', 'Linux'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari', '17', 'iOS'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36', 'Chrome', '124', 'Android'],
    ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', 'Samsung Internet', '24', 'Android'],
  ])('%s', (ua, browser, version, os) => {
    expect(parseUserAgent(ua)).toEqual({ browser, version, os });
  });
  it('knows headless Chrome, and never names the system as the browser', () => {
    const headless = parseUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36');
    expect(browserLabel(headless)).toBe('Chrome 131');
    const unknown = parseUserAgent('SomeBot/1.0 (Linux)');
    expect(browserLabel(unknown)).toBeNull();
    expect(unknown.os).toBe('Linux');
  });
  it('handles missing input', () => {
    expect(parseUserAgent(null)).toEqual({ browser: null, version: null, os: null });
  });
});
