/**
 * The realtime entry point: /ws/visitor and /ws/agent. Checks the Origin of every upgrade (only
 * Parley's own pages may open sockets, which stops cross-site WebSocket hijacking), authenticates
 * agents by their session cookie or, for integrations, a tenant API key with `conversations:read`
 * (`Authorization: Bearer pk_…` on the upgrade), runs the heartbeat, and feeds domain events to the rooms.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import type { Ctx } from '../context.js';
import type { AgentSessions } from '../commands/agentSessions.js';
import { SESSION_COOKIE } from '../routes/auth/sessionCookie.js';
import { hasScope, missingScope, principalFromApiKey, type Principal } from '../routes/auth/requireAuth.js';
import { AgentConnection } from './agentConnection.js';
import { VisitorConnection } from './visitorConnection.js';
import { Rooms } from './rooms.js';
import { AbuseLimits } from '../security/abuseLimits.js';
import { AppError, toAppError } from '../errors.js';
import { clientIdOf } from './frameReader.js';
import { refreshAgentSockets } from '../commands/agentPresence.js';
import { PRESENCE_HEARTBEAT_MS } from '../queries/presenceQueries.js';
import { CredentialRecheck } from './credentialRecheck.js';

type RefusedSocket = { send(data: string): void; close(code: number, reason: string): void };

/**
 * Closes a socket refused at the door with one error frame, plus one per send that arrived early
 * (agent frames buffered during the session lookup) naming its clientId, so the client knows which
 * sends were not taken.
 */
function refuse(socket: RefusedSocket, error: AppError, code: number, early: unknown[]): void {
  socket.send(JSON.stringify({ type: 'error', code: error.code, message: error.message }));
  for (const raw of early) {
    const clientId = clientIdOf(raw);
    if (clientId !== undefined) socket.send(JSON.stringify({ type: 'error', code: error.code, message: error.message, clientId }));
  }
  socket.close(code, error.message.slice(0, 100));
}

export class Gateway {
  readonly rooms: Rooms;
  readonly limits: AbuseLimits;
  private heartbeatTimer: NodeJS.Timeout;
  private presenceTimer: NodeJS.Timeout;
  /** Ends agent sockets whose session or key ended (credentialRecheck.ts). */
  readonly credentials: CredentialRecheck;

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
      for (const c of this.agentConnections()) if (c.presenceRegistered) ids.push(c.socketId);
      if (ids.length) refreshAgentSockets(ctx, ids).catch((err: Error) => ctx.log.warn({ err: err.message }, 'presence heartbeat failed'));
    }, PRESENCE_HEARTBEAT_MS);
    this.presenceTimer.unref();
    this.credentials = new CredentialRecheck(ctx, () => this.agentConnections());
  }

  private *agentConnections(): Iterable<AgentConnection> {
    for (const c of this.rooms.all()) if (c instanceof AgentConnection) yield c;
  }

  register(app: FastifyInstance, sessions: AgentSessions): void {
    const originOk = (req: FastifyRequest) => req.headers.origin === this.ctx.env.publicOrigin;

    // Every upgraded socket is counted, refused ones too, so their close codes (4001, 4003, 4008…) show in the metrics.
    app.get('/ws/visitor', { websocket: true }, (socket, req) => {
      this.count(socket, 'visitor');
      if (!originOk(req)) return socket.close(CLOSE.FORBIDDEN, 'origin not allowed');
      if (!this.admit(socket, () => this.limits.connectionFromAddress(req.ip))) return;
      new VisitorConnection(socket, req.log, this.ctx, this.rooms, this.limits, req.ip);
    });

    app.get('/ws/agent', { websocket: true }, async (socket, req) => {
      this.count(socket, 'agent');
      if (!originOk(req)) return socket.close(CLOSE.FORBIDDEN, 'origin not allowed');
      // Buffer frames that arrive while the session is looked up; the connection replays them.
      const early: unknown[] = [];
      const hold = (raw: unknown) => early.push(raw);
      socket.on('message', hold);
      const auth = await sessions.resolve(req.cookies[SESSION_COOKIE]).catch(() => null);
      // No session: an integration's API key (`Authorization: Bearer pk_…`; the cookie wins when both come).
      let key: Principal | null = null;
      let keyRefusal: AppError | null = null;
      if (!auth && req.headers.authorization !== undefined) {
        try {
          key = await principalFromApiKey(this.ctx, req.headers.authorization, req.ip);
          if (!hasScope(key, 'conversations:read')) throw missingScope(key, 'conversations:read');
        } catch (err) {
          keyRefusal = toAppError(err).error;
        }
      }
      // Frames that came with the upgrade request are parsed on a later turn: take them too, so
      // a refusal answers each of their sends (a lookup answered from memory is faster than that).
      await new Promise((r) => setImmediate(r));
      socket.off('message', hold);
      if (keyRefusal) {
        const c = keyRefusal.code;
        return refuse(socket, keyRefusal, c === 'rate_limited' ? CLOSE.RATE_LIMITED : c === 'forbidden' ? CLOSE.FORBIDDEN : c === 'unauthorized' ? CLOSE.UNAUTHORIZED : CLOSE.INTERNAL, early);
      }
      const agent = auth?.agent ?? key?.agent;
      if (!agent) return refuse(socket, new AppError('unauthorized', 'not logged in'), CLOSE.UNAUTHORIZED, early);
      if (!this.admit(socket, () => (this.limits.connectionFromAddress(req.ip), this.limits.connectionOf(agent.tenant_id, null)), early)) return;
      new AgentConnection(socket, req.log, this.ctx, this.rooms, agent, this.limits, req.ip, auth ? { session: auth.session } : { apiKey: key! });
      for (const raw of early) socket.emit('message', raw, false);
    });
  }

  /** Runs a connection limit check; over it, the socket gets an error frame and CLOSE.RATE_LIMITED. */
  private admit(socket: RefusedSocket, check: () => void, early: unknown[] = []): boolean {
    try {
      check();
      return true;
    } catch (err) {
      const { error } = toAppError(err);
      if (error.code === 'rate_limited') this.ctx.metrics.rateLimited.inc({ channel: 'ws' });
      refuse(socket, error, CLOSE.RATE_LIMITED, early);
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
    this.credentials.close();
    for (const c of this.rooms.all()) c.close(CLOSE.GOING_AWAY, 'server shutting down');
  }
}
