/**
 * The two frames that carry a new message — the `message` frame to the other sockets and the `ack`
 * to the sender — built around one JSON encoding of the message. Each message went through
 * JSON.stringify twice (once per frame), and its encoding is most of either frame. The bytes are
 * exactly those of JSON.stringify({ type: 'message', message }) and
 * JSON.stringify({ type: 'ack', clientId, message }) (messageFrames.test.ts), so clients see no
 * difference.
 */
import type { MessageView } from '../../protocol/records.js';

/**
 * A view's encoding, kept on the view itself: the event and the ack share the object
 * (commands/messageCreator.ts), and the encoding goes with it. Not enumerable, so a copy of the view
 * (`{ ...view }`) does not carry it. Not a WeakMap: V8's young-generation collections keep a
 * WeakMap's entries alive, so every message's view and JSON survived them, were copied and then
 * promoted (issue 21: the scavenges that stop the event loop grew with it; docs/BENCHMARKS.md).
 */
const ENCODED = Symbol('messageJson');

function messageJson(message: MessageView): string {
  const own = (message as { [ENCODED]?: string })[ENCODED];
  if (own !== undefined) return own;
  const json = JSON.stringify(message);
  if (Object.isExtensible(message)) Object.defineProperty(message, ENCODED, { value: json });
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
