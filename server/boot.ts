/**
 * Starting a node as a process (server/main.ts; scaleout/node.ts for the fault tests): the port is
 * open from the first moment, and until the node is ready — PostgreSQL may be down or still
 * starting, and storage/databaseWait.ts retries for up to DATABASE_WAIT_SECONDS — every request
 * is answered 503: /healthz with `{ status: 'starting', reason: 'database_unavailable' }`, anything
 * else with the `unavailable` error, so a load balancer keeps the node out of rotation and clients
 * retry. WebSocket upgrades are refused the same way. Once the app is built, it takes the server
 * over (app.ts) and /healthz says 200.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Env } from './env.js';
import { buildParley, type BuildOptions, type Parley } from './app.js';
import { AppError, toErrorBody } from './errors.js';

export async function bootParley(env: Env, log: Logger, opts: Omit<BuildOptions, 'env' | 'logger' | 'server'> = {}): Promise<{ parley: Parley; address: string }> {
  keepRunningOnRejections(log);
  const starting = (req: IncomingMessage, res: ServerResponse) => {
    const health = req.url?.split('?')[0] === '/healthz';
    const body = health
      ? { status: 'starting', reason: 'database_unavailable', node: env.nodeId }
      : toErrorBody(new AppError('unavailable', 'this node is starting (waiting for its database); retry shortly'));
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const refuseUpgrade = (_req: IncomingMessage, socket: Duplex) => {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  };
  const server = createServer(starting);
  server.on('upgrade', refuseUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.port, env.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const where = server.address();
  const address = typeof where === 'string' || !where ? String(where) : `http://${where.family === 'IPv6' ? `[${where.address}]` : where.address}:${where.port}`;
  log.info({ address }, 'parley starting: /healthz answers 503 until the node is ready');
  try {
    const parley = await buildParley({ ...opts, env, logger: log, server });
    return { parley, address };
  } catch (err) {
    server.close();
    server.closeAllConnections();
    throw err;
  }
}

/**
 * A promise rejected with nobody waiting for it ends the process by default: a database error in
 * some forgotten background path must never take a node down with every socket on it (issue 17).
 * It is logged as the bug it is, and the node carries on. (An 'error' event without a listener is
 * not caught here: storage/dialects/postgres.ts gives every database client one.)
 */
function keepRunningOnRejections(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? { message: reason.message, code: (reason as { code?: unknown }).code, stack: reason.stack } : String(reason);
    log.error({ err }, 'unhandled promise rejection (a bug); the node keeps running');
  });
}
