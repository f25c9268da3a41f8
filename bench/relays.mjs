// Baselines for `npm run bench`: the same visitor→agent relay with no validation and no auth.
//   node bench/relays.mjs ws PORT               — bare `ws`, no storage: /v visitors, /a agents
//   node bench/relays.mjs sio PORT              — plain Socket.IO (websocket transport), no storage; role in the query
//   node bench/relays.mjs sio-sqlite PORT FILE  — the same Socket.IO relay doing Parley's core work the
//     plain way: each message inserted into SQLite (WAL, synchronous=FULL: durable, like Parley's)
//     before its ack and its delivery — one statement, one commit per message.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';
import { Server } from 'socket.io';

const [kind, portArg, file] = process.argv.slice(2);
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
} else if (kind === 'sio' || kind === 'sio-sqlite') {
  const store = kind === 'sio-sqlite' ? messageStore(file) : null;
  const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 16 * 1024, serveClient: false });
  io.on('connection', (socket) => {
    if (socket.handshake.query.role === 'agent') {
      socket.join('agents');
      return;
    }
    socket.on('send', (f) => {
      store?.(f);
      socket.emit('ack', { clientId: f.clientId });
      io.to('agents').emit('message', { clientId: f.clientId, body: f.body });
    });
  });
} else {
  console.error('usage: relays.mjs ws|sio PORT | relays.mjs sio-sqlite PORT FILE');
  process.exit(2);
}
http.listen(port, '127.0.0.1', () => process.stdout.write(`RELAY_LISTENING ${port}\n`));

function messageStore(path) {
  if (!path) throw new Error('sio-sqlite needs a database file');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO messages (client_id, body, created_at) VALUES (?, ?, ?)');
  return (f) => insert.run(String(f.clientId), String(f.body), Date.now());
}
