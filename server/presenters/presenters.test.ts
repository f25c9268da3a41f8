import { describe, expect, it } from 'vitest';
import type { Message } from '../storage/schema.js';
import { presentMessage, presentStoredMessage } from './presenters.js';

describe('presentStoredMessage', () => {
  it('is presentMessage of the stored row, to the byte (same fields, same order)', () => {
    const draft: Omit<Message, 'conversation_id' | 'seq'> = {
      id: 'msg_1',
      tenant_id: 'ten_1',
      client_id: 'c-1',
      dedupe_key: 'visitor:vis_1:c-1',
      author_kind: 'visitor',
      author_id: 'vis_1',
      author_name: 'Visitor',
      body: 'hello',
      internal: 0,
      created_at: Date.UTC(2026, 11, 7, 3, 0, 0),
      key_version: 1,
      attachment: null,
    };
    for (const d of [draft, { ...draft, internal: 1, attachment: JSON.stringify({ id: 'att_1', name: 'a.pdf', type: 'application/pdf', size: 3, url: '/attachments/att_1' }) }]) {
      expect(JSON.stringify(presentStoredMessage(d, 'conv_9', 41))).toBe(JSON.stringify(presentMessage({ ...d, conversation_id: 'conv_9', seq: 41 })));
    }
  });
});
