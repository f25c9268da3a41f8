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
import { AbuseLimits } from '../security/abuseLimits.js';
import { toAppError } from '../errors.js';
import { refreshAgentSockets } from '../commands/agentPresence.js';
import { PRESENCE_HEARTBEAT_MS } from '../queries/presenceQueries.js';

export class Gateway {
  readonly rooms: Rooms;
  readonly limits: AbuseLimits;
  private heartbeatTimer: NodeJS.Timeout;
  private presenceTimer: NodeJS.Timeout;

  constructor(private readonly ctx: Ctx) {
    this.rooms = new Rooms(ctx.metrics);
    this.limits = new AbuseLimits(ctx.env.rateLimits);
    ctx.bus.subscribe((event) => this.rooms.deliver(event));
    // Events published while this node was cut off from the bus are gone: every socket here
    // reconnects (spread over a second) and resumes by seq, so nothing committed is missed live.
    ctx.bus.onResync?.(() => {
      ctx.log.warn('event bus reconnected; asking clients to resume');
      for (const c of this.rooms.all()) setTimeout(() => c.close(CLOSE.RESUME, 'resume'), Math.random() * 1000).unref();
    });
    this.heartbeatTimer = setInterval(() => {
      for (const c of this.rooms.all()) c.heartbeat();
    }, LIMITS.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
    // Presence heartbeat: keep this node's agent sockets alive in the database (see agentPresence.ts).
    this.presenceTimer = setInterval(() => {
      const ids: string[] = [];
      for (const c of this.rooms.all()) if (c instanceof AgentConnection && c.presenceRegistered) ids.push(c.socketId);
      if (ids.length) refreshAgentSockets(ctx, ids).catch((err: Error) => ctx.log.warn({ err: err.message }, 'presence heartbeat failed'));
    }, PRESENCE_HEARTBEAT_MS);
    this.presenceTimer.unref();
  }

  register(app: FastifyInstance, sessions: AgentSessions): void {
    const originOk = (req: FastifyRequest) => req.headers.origin === this.ctx.env.publicOrigin;

    app.get('/ws/visitor', { websocket: true }, (socket, req) => {
      if (!originOk(req)) return socket.close(CLOSE.FORBIDDEN, 'origin not allowed');
      if (!this.admit(socket, () => this.limits.connectionFromAddress(req.ip))) return;
      this.count(socket, 'visitor');
      new VisitorConnection(socket, req.log, this.ctx, this.rooms, this.limits, req.ip);
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
      if (!this.admit(socket, () => (this.limits.connectionFromAddress(req.ip), this.limits.connectionOf(auth.agent.tenant_id, null)))) return;
      this.count(socket, 'agent');
      new AgentConnection(socket, req.log, this.ctx, this.rooms, auth.agent, this.limits, req.ip, auth.session);
      for (const raw of early) socket.emit('message', raw, false);
    });
  }

  /** Runs a connection limit check; over it, the socket gets an error frame and CLOSE.RATE_LIMITED. */
  private admit(socket: { send(data: string): void; close(code: number, reason: string): void }, check: () => void): boolean {
    try {
      check();
      return true;
    } catch (err) {
      const { error } = toAppError(err);
      socket.send(JSON.stringify({ type: 'error', code: error.code, message: error.message }));
      socket.close(CLOSE.RATE_LIMITED, 'rate limited');
      return false;
    }
  }

  private count(socket: { once(event: 'close', cb: (code: number) => void): unknown }, kind: 'visitor' | 'agent'): void {
    this.ctx.metrics.sockets.inc({ kind });
    socket.once('close', (code) => {
      this.ctx.metrics.sockets.dec({ kind });
      this.ctx.metrics.socketCloses.inc({ kind, code: String(code) });
    });
  }

  close(): void {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.presenceTimer);
    for (const c of this.rooms.all()) c.close(CLOSE.GOING_AWAY, 'server shutting down');
  }
}
