import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../protocol/records.js';
import { ackFrameJson, messageFrameJson } from './messageFrames.js';

const message = (over: Partial<MessageView> = {}): MessageView => ({
  id: 'msg_1',
  conversationId: 'conv_1',
  seq: 7,
  clientId: 'c-1',
  author: { kind: 'visitor', id: 'vis_1', name: 'Zoë "the" visitor' },
  body: 'line one\nline two — ünïcödé 👋 \u2028 </script> \\ "quoted"',
  internal: false,
  createdAt: '2026-12-07T03:00:00.000Z',
  ...over,
});

describe('message frames', () => {
  it('are byte for byte what JSON.stringify makes of the frame objects', () => {
    const views = [message(), message({ internal: true, body: '' }), message({ attachment: { id: 'att_1', name: 'a "b".pdf', type: 'application/pdf', size: 12, url: '/attachments/att_1' } as MessageView['attachment'] })];
    for (const m of views) {
      expect(messageFrameJson(m)).toBe(JSON.stringify({ type: 'message', message: m }));
      for (const clientId of ['c-1', 'quote " and \\ backslash', 'ünï \u2028']) {
        expect(ackFrameJson(clientId, m)).toBe(JSON.stringify({ type: 'ack', clientId, message: m }));
      }
    }
  });

  it('encode a message once for both frames', () => {
    const m = message();
    let reads = 0;
    const counted = new Proxy(m, {
      get(target, key, receiver) {
        if (key === 'body') reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    messageFrameJson(counted);
    ackFrameJson('c-1', counted);
    ackFrameJson('c-2', counted);
    expect(reads).toBe(1);
  });

  it("keep a view's encoding to that view: a copy with another body, or a frozen view, is encoded afresh", () => {
    const m = message();
    messageFrameJson(m);
    const edited = { ...m, body: 'redacted' };
    expect(messageFrameJson(edited)).toBe(JSON.stringify({ type: 'message', message: edited }));
    expect(Object.keys(m)).toEqual(Object.keys(message()));
    const frozen = Object.freeze(message({ body: 'frozen' }));
    expect(ackFrameJson('c-1', frozen)).toBe(JSON.stringify({ type: 'ack', clientId: 'c-1', message: frozen }));
  });
});
