// One load-generator process for `npm run bench` (forked by bench/run.mjs, driven over IPC).
// Speaks three dialects — Parley's protocol, the bare ws relay and the Socket.IO relay — with the
// same behaviour, so the only difference measured is the server.
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import hdr from 'hdr-histogram-js';

const now = () => performance.timeOrigin + performance.now();
// The send time rides in the body as microseconds in base 36: a run of 16 decimal digits would look
// like a card number to Parley's redaction and, when Luhn-valid (1 in 10), arrive as [card redacted].
const stamp = () => Math.round(now() * 1000).toString(36);
const unstamp = (s) => parseInt(s, 36) / 1000;
const PAD = ' — hello, I have a question about my order, could you check the delivery date please?';

/** Opens one client; resolves when it can send. `visitor`: which visitor (token) it is, so that each sender is a distinct visitor. */
function openClient(target, role, onFrame, visitor = 0) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (c) => {
      if (!done) {
        done = true;
        resolve(c);
      }
    };
    setTimeout(() => finish(null), 20_000);
    if (target.kind === 'sio') {
      const s = io(target.url, { transports: ['websocket'], query: { role }, reconnection: false, forceNew: true });
      s.on('connect', () => finish({ send: (clientId, body) => s.emit('send', { clientId, body }), close: () => s.close() }));
      s.on('connect_error', () => finish(null));
      s.on('ack', (f) => onFrame('ack', f.clientId));
      s.on('message', (m) => onFrame('message', m.body));
      return;
    }
    const path = target.kind === 'parley' ? (role === 'agent' ? '/ws/agent' : '/ws/visitor') : role === 'agent' ? '/a' : '/v';
    const ws = new WebSocket(target.url.replace(/^http/, 'ws') + path, { headers: { origin: target.origin ?? 'http://bench.local', ...(role === 'agent' && target.cookie ? { cookie: target.cookie } : {}) }, perMessageDeflate: false });
    const client = {
      send: (clientId, body) => ws.readyState === 1 && ws.send(JSON.stringify(target.kind === 'parley' ? { type: 'message.send', clientId, body } : { type: 'send', clientId, body })),
      close: () => ws.terminate(),
    };
    ws.on('error', () => finish(null));
    ws.on('close', (code) => {
      finish(null);
      onFrame('close', code);
    });
    ws.on('open', () => {
      if (target.kind !== 'parley') return finish(client);
      ws.send(JSON.stringify(role === 'agent' ? { type: 'hello' } : { type: 'hello', token: target.tokens[visitor % target.tokens.length] }));
    });
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw));
      if (f.type === 'ready') finish(client);
      else if (f.type === 'ack') onFrame('ack', f.clientId);
      else if (f.type === 'message') onFrame('message', f.message.body);
      else if (f.type === 'error') onFrame('error', f.clientId);
    });
  });
}

/** Opens n sockets; socket i is visitor `first + i` (tokens are reused round-robin past their number). */
async function openMany(targets, n, role, onFrame, first = 0, concurrency = 200) {
  const clients = [];
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const c = await openClient(targets[i % targets.length], role, (type, x) => onFrame(i, type, x), first + i);
      if (c) {
        c.index = i;
        clients.push(c);
      } else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { clients, failed };
}

let clients = [];
let timers = [];
let sent = 0;
let acked = 0;
let received = 0;
let closes = 0;
// The agent socket's close codes (4009 slow consumer, 1011 audit not keeping up, ...), for the report.
const closeCodes = [];
let errors = 0;
/** This process's CPU since the last reset: the generators' share of the machine (bench/costs.mjs). */
let cpuAtReset = process.cpuUsage();
let histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

process.on('message', async (msg) => {
  const reply = (data) => process.send({ id: msg.id, ...data });
  switch (msg.cmd) {
    case 'idle': {
      const { clients: cs, failed } = await openMany(msg.targets, msg.count, 'visitor', () => {}, msg.first);
      clients.push(...cs);
      return reply({ open: cs.length, failed });
    }
    case 'agent': {
      const { clients: cs, failed } = await openMany(msg.targets, 1, 'agent', (_i, type, body) => {
        if (type === 'close') {
          closes++;
          closeCodes.push(body);
        }
        if (type !== 'message') return;
        // Only the load's own messages (a bot's answers or system messages are not counted).
        const t = unstamp(body.slice(0, body.indexOf(' ')));
        if (!(t > 0)) return;
        received++;
        histogram.recordValue(Math.max(1, Math.round((now() - t) * 1000)));
      });
      clients.push(...cs);
      return reply({ open: cs.length, failed });
    }
    case 'senders': {
      // mode 'max': each visitor keeps `window` sends in flight, at most `perSocketMax`/s (Parley's
      // per-socket frame limit applies to every system alike). mode 'rate': each sends every 1000/rate ms.
      const inFlight = new Map();
      const onFrame = (i, type, x) => {
        if (type === 'ack' || (type === 'error' && x)) {
          // An error frame naming a send (e.g. rate_limited) also ends it; it is counted, not acked.
          if (type === 'ack') acked++;
          else errors++;
          inFlight.set(i, (inFlight.get(i) ?? 1) - 1);
        }
      };
      const { clients: cs, failed } = await openMany(msg.targets, msg.count, 'visitor', onFrame, msg.first);
      clients.push(...cs);
      let seq = 0;
      const sendOne = (c, i) => {
        inFlight.set(i, (inFlight.get(i) ?? 0) + 1);
        sent++;
        c.send(`${process.pid}-${++seq}`, `${stamp()}${PAD}`);
      };
      const interval = msg.mode === 'rate' ? 1000 / msg.perSocket : 1000 / msg.perSocketMax;
      cs.forEach((c) => {
        const i = c.index;
        setTimeout(() => {
          timers.push(
            setInterval(() => {
              if (msg.mode === 'max' && (inFlight.get(i) ?? 0) >= msg.window) return;
              sendOne(c, i);
            }, interval),
          );
        }, Math.random() * interval);
      });
      return reply({ open: cs.length, failed });
    }
    case 'stats': {
      const cpu = process.cpuUsage(cpuAtReset);
      return reply({ cpuSeconds: (cpu.user + cpu.system) / 1e6, sent, acked, errors, received, closes, closeCodes, p50: histogram.getValueAtPercentile(50) / 1000, p99: histogram.getValueAtPercentile(99) / 1000, p999: histogram.getValueAtPercentile(99.9) / 1000, max: histogram.maxValue / 1000, count: histogram.totalCount });
    }
    case 'reset':
      sent = acked = received = errors = 0;
      cpuAtReset = process.cpuUsage();
      histogram.reset();
      return reply({});
    case 'stop':
      for (const t of timers) clearInterval(t);
      timers = [];
      for (const c of clients) c.close();
      clients = [];
      return reply({});
  }
});
process.send({ ready: true });
