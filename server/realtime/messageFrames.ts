/**
 * The two frames that carry a new message — the `message` frame to the other sockets and the `ack`
 * to the sender — built around one JSON encoding of the message. Each message went through
 * JSON.stringify twice (once per frame), and its encoding is most of either frame. The bytes are
 * exactly those of JSON.stringify({ type: 'message', message }) and
 * JSON.stringify({ type: 'ack', clientId, message }) (messageFrames.test.ts), so clients see no
 * difference.
 */
import type { MessageView } from '../../protocol/records.js';

/** Keyed by the view object itself: the event and the ack share it (commands/messageCreator.ts); dropped with it. */
const encoded = new WeakMap<MessageView, string>();

function messageJson(message: MessageView): string {
  let json = encoded.get(message);
  if (json === undefined) encoded.set(message, (json = JSON.stringify(message)));
  return json;
}

/** `{"type":"message","message":…}` */
export function messageFrameJson(message: MessageView): string {
  return `{"type":"message","message":${messageJson(message)}}`;
}

/** `{"type":"ack","clientId":…,"message":…}` */
export function ackFrameJson(clientId: string, message: MessageView): string {
  return `{"type":"ack","clientId":${JSON.stringify(clientId)},"message":${messageJson(message)}}`;
}
