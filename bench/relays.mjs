// Baselines for `npm run bench`: the same visitor→agent relay with no storage, no validation, no auth.
//   node bench/relays.mjs ws PORT    — bare `ws`: /v visitors, /a agents
//   node bench/relays.mjs sio PORT   — plain Socket.IO (websocket transport), role in the query
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { Server } from 'socket.io';

const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg);
const http = createServer((_req, res) => res.end('ok'));

if (kind === 'ws') {
  const wss = new WebSocketServer({ server: http, maxPayload: 16 * 1024 });
  const agents = new Set();
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    if (req.url === '/a') {
      agents.add(ws);
      ws.on('close', () => agents.delete(ws));
      return;
    }
    ws.on('message', (raw) => {
      let f;
      try {
        f = JSON.parse(String(raw));
      } catch {
        return;
      }
      ws.send(JSON.stringify({ type: 'ack', clientId: f.clientId }));
      const json = JSON.stringify({ type: 'message', message: { clientId: f.clientId, body: f.body } });
      for (const a of agents) a.send(json);
    });
  });
} else if (kind === 'sio') {
  const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 16 * 1024, serveClient: false });
  io.on('connection', (socket) => {
    if (socket.handshake.query.role === 'agent') {
      socket.join('agents');
      return;
    }
    socket.on('send', (f) => {
      socket.emit('ack', { clientId: f.clientId });
      io.to('agents').emit('message', { clientId: f.clientId, body: f.body });
    });
  });
} else {
  console.error('usage: relays.mjs ws|sio PORT');
  process.exit(2);
}
http.listen(port, '127.0.0.1', () => process.stdout.write(`RELAY_LISTENING ${port}\n`));
