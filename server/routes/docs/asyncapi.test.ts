/**
 * The AsyncAPI 3.0 document of the WebSockets (issue 18): the official parser accepts it, its
 * client frames are the server's validation schemas, and the frames a real session receives
 * validate against the server frames it lists.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Parser } from '@asyncapi/parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TestSocket, visitorSession, type TestParley } from '../../testing/testParley.js';
import { normalise } from './namedSchemas.js';
import { VisitorHello, MessageSend } from '../../../protocol/realtime.js';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

describe('AsyncAPI document', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley({ listen: true });
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const fetchDoc = async () => (await t.app.inject({ method: 'GET', url: '/docs/asyncapi.json' })).json() as Json;

  it('is valid AsyncAPI 3.0 for the official parser, and states the frames the server validates', async () => {
    const doc = await fetchDoc();
    const { document, diagnostics } = await new Parser().parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(doc.channels.visitor.address).toBe('/ws/visitor');
    expect(doc.channels.agent.address).toBe('/ws/agent');
    expect(Object.keys(doc.channels.visitor.messages)).toEqual(expect.arrayContaining(['VisitorHello', 'MessageSend', 'Receipt', 'Handoff', 'VisitorReady', 'Ack', 'ErrorFrame', 'QueueEvent']));
    expect(Object.keys(doc.channels.agent.messages)).toEqual(expect.arrayContaining(['AgentHello', 'History', 'AgentReady', 'HistoryPage', 'PresenceEvent', 'IncidentEvent']));
    // The very schemas the frame reader validates with (nothing nested to name in these two).
    expect(doc.components.schemas.VisitorHello).toEqual(normalise(VisitorHello));
    expect(doc.components.schemas.MessageSend).toEqual(normalise(MessageSend));
    expect(doc.servers.parley.host).toBe(new URL(t.url).host);
  });

  it('describes every frame a live visitor and agent receive', async () => {
    const doc = await fetchDoc();
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'urn:parley:asyncapi', $defs: JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/')) });
    const serverFrames = (channel: string) => doc.operations[`${channel}Receives`].messages.map((m: Json) => String(m.$ref).split('/').pop()!);
    const valid = (channel: string, frame: unknown) => serverFrames(channel).some((name: string) => ajv.validate({ $ref: `urn:parley:asyncapi#/$defs/${name}` }, frame));

    const tenant = await makeTenant(t);
    const agent = await makeAgent(t, tenant);
    const agentWs = await TestSocket.open(t, '/ws/agent', { cookie: (await login(t, agent)).cookie });
    // Every frame received, including those the test waits for.
    const seen: Record<'visitor' | 'agent', unknown[]> = { visitor: [], agent: [] };
    agentWs.ws.on('message', (d) => seen.agent.push(JSON.parse(String(d))));
    agentWs.send({ type: 'hello' });
    await agentWs.next('ready');
    const { token } = await visitorSession(t, tenant);
    const visitor = await TestSocket.open(t, '/ws/visitor');
    visitor.ws.on('message', (d) => seen.visitor.push(JSON.parse(String(d))));
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'v1', body: 'hello' });
    const ack = await visitor.next('ack');
    agentWs.send({ type: 'message.send', clientId: 'a1', conversationId: ack.message.conversationId, body: 'hi there' });
    await agentWs.next('ack');
    agentWs.send({ type: 'history', conversationId: ack.message.conversationId, afterSeq: 0 });
    await agentWs.next('history');
    visitor.send({ type: 'typing', on: true });
    await agentWs.next('typing');
    visitor.send({ type: 'message.send', clientId: 'bad' }); // no body: an error frame
    await visitor.next('error');
    visitor.send({ type: 'ping' });
    await visitor.next('pong');

    visitor.close();
    agentWs.close();
    for (const f of seen.visitor) expect(valid('visitor', f), JSON.stringify(f)).toBe(true);
    for (const f of seen.agent) expect(valid('agent', f), JSON.stringify(f)).toBe(true);
    expect(seen.visitor.map((f) => (f as Json).type)).toEqual(expect.arrayContaining(['ready', 'ack', 'message', 'error', 'pong']));
    expect(seen.agent.map((f) => (f as Json).type)).toEqual(expect.arrayContaining(['ready', 'message', 'ack', 'history', 'typing']));
    // Control: a frame of the wrong shape is not accepted as any server frame.
    expect(valid('visitor', { type: 'ack', clientId: 'x' })).toBe(false);
  });
});
