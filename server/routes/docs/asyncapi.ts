/**
 * AsyncAPI 3.0 description of the two WebSockets (issue 18), built from the very TypeBox schemas
 * the server validates frames with (protocol/realtime.ts: VisitorClientFrame and AgentClientFrame
 * are what the frame reader checks) and the frames it sends. Served at /docs/asyncapi.json beside
 * the OpenAPI document; nested records become the same named components.
 */
import type { TSchema } from 'typebox';
import * as rt from '../../../protocol/realtime.js';
import { CLOSE, CLOSE_FINAL } from '../../../protocol/closeCodes.js';
import { LIMITS } from '../../../protocol/limits.js';
import { SchemaNamer } from './namedSchemas.js';

type Json = Record<string, any>;

/** Frames the server sends on each socket. A new server frame is added here and to its type union. */
const VISITOR_SERVER_FRAMES = { VisitorReady: rt.VisitorReady, Ack: rt.Ack, MessageEvent: rt.MessageEvent, ConversationEvent: rt.ConversationEvent, TypingEvent: rt.TypingEvent, QueueEvent: rt.QueueEvent, ReceiptEvent: rt.ReceiptEvent, ErrorFrame: rt.ErrorFrame, Pong: rt.Pong };
const AGENT_SERVER_FRAMES = { AgentReady: rt.AgentReady, Ack: rt.Ack, MessageEvent: rt.MessageEvent, ConversationEvent: rt.ConversationEvent, TypingEvent: rt.TypingEvent, HistoryPage: rt.HistoryPage, IncidentEvent: rt.IncidentEvent, ReceiptEvent: rt.ReceiptEvent, PresenceEvent: rt.PresenceEvent, ActivityEvent: rt.ActivityEvent, MentionEvent: rt.MentionEvent, LabelEvent: rt.LabelEvent, MacroEvent: rt.MacroEvent, SlaEvent: rt.SlaEvent, SlaBreachEvent: rt.SlaBreachEvent, ErrorFrame: rt.ErrorFrame, Pong: rt.Pong };

/** The exported name of each member of a client-frame union (the union is what the server validates). */
function members(union: TSchema): Record<string, TSchema> {
  const names = Object.entries(rt).filter(([, v]) => typeof v === 'object' && v !== null) as Array<[string, TSchema]>;
  const out: Record<string, TSchema> = {};
  for (const member of (union as unknown as { anyOf: TSchema[] }).anyOf) {
    const found = names.find(([n, v]) => v === member && !n.endsWith('ClientFrame'));
    if (!found) throw new Error('a client frame of protocol/realtime.ts has no exported name');
    out[found[0]] = member;
  }
  return out;
}

const CLOSE_TEXT = Object.entries(CLOSE)
  .map(([name, code]) => `${code} ${name}${CLOSE_FINAL.includes(code) ? ' (final: do not reconnect)' : ''}`)
  .join('; ');

export function asyncApiDocument(publicUrl: string, version: string): Json {
  const url = new URL(publicUrl);
  const visitorIn = members(rt.VisitorClientFrame);
  const agentIn = members(rt.AgentClientFrame);
  const all: Record<string, TSchema> = { ...visitorIn, ...agentIn, ...VISITOR_SERVER_FRAMES, ...AGENT_SERVER_FRAMES };
  const namer = new SchemaNamer(Object.fromEntries(Object.entries(all).map(([n, s]) => [n, JSON.parse(JSON.stringify(s))])));
  const ref = (name: string) => ({ $ref: `#/components/messages/${name}` });
  const messagesOf = (frames: Record<string, unknown>) => Object.fromEntries(Object.keys(frames).map((n) => [n, ref(n)]));
  const channel = (address: string, description: string, frames: Record<string, unknown>) => ({ address, description, messages: messagesOf(frames), bindings: { ws: { method: 'GET' } } });
  const operation = (action: 'send' | 'receive', channelName: string, frames: Record<string, unknown>, summary: string) => ({
    action,
    channel: { $ref: `#/channels/${channelName}` },
    summary,
    messages: Object.keys(frames).map((n) => ({ $ref: `#/channels/${channelName}/messages/${n}` })),
  });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Parley realtime',
      version,
      description: [
        'JSON text frames, one envelope per frame with a `type`. The first frame must be `hello` (within ' + LIMITS.helloTimeoutMs + ' ms).',
        'The Origin header of the upgrade must equal PUBLIC_URL. Frames are at most ' + LIMITS.maxFrameBytes + ' bytes.',
        '`ack` is sent only after the message is committed; a retried `message.send` with the same clientId is acknowledged again with the stored message, never stored twice.',
        'Close codes: ' + CLOSE_TEXT + '. See docs/API-CONTRACT.md for resume, ordering and the rest of the contract.',
      ].join('\n\n'),
    },
    servers: { parley: { host: url.host, protocol: url.protocol === 'https:' ? 'wss' : 'ws', description: 'This node (PUBLIC_URL)' } },
    channels: {
      visitor: channel('/ws/visitor', 'The widget frame: hello with the visitor token from POST /api/widget/session.', { ...visitorIn, ...VISITOR_SERVER_FRAMES }),
      agent: channel('/ws/agent', 'The console, or an integration: the session cookie, or `Authorization: Bearer pk_…` (an API key with conversations:read; sending, typing and receipts also need conversations:write), authenticates the upgrade; hello may name lastSeqs to resume.', { ...agentIn, ...AGENT_SERVER_FRAMES }),
    },
    operations: {
      visitorSends: operation('receive', 'visitor', visitorIn, 'Frames a visitor sends (the server receives them)'),
      visitorReceives: operation('send', 'visitor', VISITOR_SERVER_FRAMES, 'Frames the server sends to a visitor'),
      agentSends: operation('receive', 'agent', agentIn, 'Frames an agent sends (the server receives them)'),
      agentReceives: operation('send', 'agent', AGENT_SERVER_FRAMES, 'Frames the server sends to an agent'),
    },
    components: {
      messages: Object.fromEntries(Object.keys(all).map((n) => [n, { name: n, title: n, contentType: 'application/json', payload: { $ref: `#/components/schemas/${n}` } }])),
      schemas: namer.used(Object.keys(all).map((n) => ({ $ref: `#/components/schemas/${n}` }))),
    },
  };
}
