/**
 * The realtime entry point: /ws/visitor and /ws/agent. Checks the Origin of every upgrade (only
 * Parley's own pages may open sockets, which stops cross-site WebSocket hijacking), authenticates
 * agents by their session cookie, runs the heartbeat, and feeds domain events to the rooms.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import type { Ctx } from '../context.js';
import type { AgentSessions } from '../commands/agentSessions.js';
import { SESSION_COOKIE } from '../routes/auth/sessionCookie.js';
import { AgentConnection } from './agentConnection.js';
import { VisitorConnection } from './visitorConnection.js';
import { Rooms } from './rooms.js';

export class Gateway {
  readonly rooms = new Rooms();
  private heartbeatTimer: NodeJS.Timeout;

  constructor(private readonly ctx: Ctx) {
    ctx.bus.subscribe((event) => this.rooms.deliver(event));
    this.heartbeatTimer = setInterval(() => {
      for (const c of this.rooms.all()) c.heartbeat();
    }, LIMITS.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  register(app: FastifyInstance, sessions: AgentSessions): void {
    const originOk = (req: FastifyRequest) => req.headers.origin === this.ctx.env.publicOrigin;

    app.get('/ws/visitor', { websocket: true }, (socket, req) => {
      if (!originOk(req)) return socket.close(CLOSE.FORBIDDEN, 'origin not allowed');
      this.count(socket, 'visitor');
      new VisitorConnection(socket, req.log, this.ctx, this.rooms);
    });

    app.get('/ws/agent', { websocket: true }, async (socket, req) => {
      if (!originOk(req)) return socket.close(CLOSE.FORBIDDEN, 'origin not allowed');
      // Buffer frames that arrive while the session is looked up; the connection replays them.
      const early: unknown[] = [];
      const hold = (raw: unknown) => early.push(raw);
      socket.on('message', hold);
      const auth = await sessions.resolve(req.cookies[SESSION_COOKIE]).catch(() => null);
      socket.off('message', hold);
      if (!auth) return socket.close(CLOSE.UNAUTHORIZED, 'not logged in');
      this.count(socket, 'agent');
      new AgentConnection(socket, req.log, this.ctx, this.rooms, auth.agent);
      for (const raw of early) socket.emit('message', raw, false);
    });
  }

  private count(socket: { once(event: 'close', cb: () => void): unknown }, kind: 'visitor' | 'agent'): void {
    this.ctx.metrics.sockets.inc({ kind });
    socket.once('close', () => this.ctx.metrics.sockets.dec({ kind }));
  }

  close(): void {
    clearInterval(this.heartbeatTimer);
    for (const c of this.rooms.all()) c.close(CLOSE.GOING_AWAY, 'server shutting down');
  }
}
