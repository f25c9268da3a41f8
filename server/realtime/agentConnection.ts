import type { WebSocket } from 'ws';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { AgentHello, MessageSend, Typing, History, Ping, Receipt, type AgentClientFrame, type AgentServerFrame } from '../../protocol/realtime.js';
import type { MessageView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent, Session } from '../storage/schema.js';
import { agentAccessor, messageExposure, recordAccess, type Accessor } from '../security/accessAudit.js';
import { hasScope, missingScope, principalAccessor, type Principal } from '../routes/auth/requireAuth.js';
import { AppError } from '../errors.js';
import { createMessage } from '../commands/messageCreator.js';
import { agentSocketClosed, agentSocketOpened } from '../commands/agentPresence.js';
import { recordReceipt } from '../commands/receiptRecorder.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentAgent } from '../presenters/presenters.js';
import { messagesAfter } from '../queries/messageQueries.js';
import { Connection } from './connection.js';
import { frameReader } from './frameReader.js';
import type { Rooms } from './rooms.js';
import type { AbuseLimits } from '../security/abuseLimits.js';
import { Viewing } from '../../protocol/productivity.js';
import { CollisionTracker } from './collision.js';
import { RecordedOnce } from './recordedOnce.js';
import { ackFrameJson } from './messageFrames.js';

const reader = frameReader({ hello: AgentHello, 'message.send': MessageSend, typing: Typing, history: History, ping: Ping, receipt: Receipt, viewing: Viewing });

/** An agent's socket: authenticated by the session cookie (or an integration's API key) at upgrade, then receives its whole tenant's inbox events. */
export class AgentConnection extends Connection<AgentClientFrame, AgentServerFrame> {
  constructor(
    ws: WebSocket,
    log: Logger,
    private readonly ctx: Ctx,
    private readonly rooms: Rooms,
    readonly agent: Agent,
    private readonly limits: AbuseLimits,
    private readonly address: string,
    credential: { session: Pick<Session, 'id'> } | { apiKey: Principal },
  ) {
    super(ws, reader, log, ctx.metrics);
    this.apiKey = 'apiKey' in credential ? credential.apiKey : null;
    this.credential = 'apiKey' in credential ? { kind: 'key', id: credential.apiKey.apiKeyId! } : { kind: 'session', id: credential.session.id };
    this.who = this.apiKey ? principalAccessor(this.apiKey) : agentAccessor(agent, 'session' in credential ? credential.session : { id: 'unknown' }, address);
  }

  /** What opened this socket: while it stands the socket may stay open (realtime/credentialRecheck.ts). */
  readonly credential: { kind: 'session' | 'key'; id: string };

  /** An integration's key (null: the console session): its scopes bound what it may send, and it is never a person's presence. */
  private readonly apiKey: Principal | null;

  /** Sending needs `conversations:write` on a key (the console session's role always has it). */
  private mayWrite(): void {
    if (this.apiKey && !hasScope(this.apiKey, 'conversations:write')) throw missingScope(this.apiKey, 'conversations:write');
  }

  /** Who reads through this socket, for the access audit. */
  private readonly who: Accessor;
  /** Conversations whose live delivery on this socket is durably recorded (one audit entry each per socket session). */
  private readonly liveAudited = new RecordedOnce();

  /**
   * Called by Rooms with every frame carrying a conversation's data for this socket. The first one
   * per conversation leaves only once its `conversation.live` entry is written (and the
   * conversation's next frames behind it: Connection.sendAudited); later ones go straight out, with
   * no promise made.
   */
  deliver(json: string, conversationId: string, visitorId: string): void {
    this.sendAudited(json, conversationId, this.liveAudited.has(conversationId) ? null : this.liveAudited.entry(conversationId, () => recordAccess(this.ctx, this.who, 'conversation.live', [{ tenantId: this.tenantId, resourceType: 'conversation', resourceId: conversationId, conversationId, visitorId }])));
  }

  get tenantId(): string {
    return this.agent.tenant_id;
  }

  protected async onHello(frame: AgentClientFrame): Promise<void> {
    if (frame.type !== 'hello') return;
    this.rooms.joinAgent(this);
    // Presence lives in the database (one row per socket), so every node sees this agent online.
    // An integration's key socket is not the agent at their desk: no presence, no routing to them.
    if (!this.apiKey) {
      await agentSocketOpened(this.ctx, this.agent, this.socketId);
      this.presenceRegistered = true;
    }
    const missed: MessageView[] = [];
    const more: string[] = [];
    for (const [conversationId, lastSeq] of Object.entries(frame.lastSeqs ?? {})) {
      const page = await messagesAfter(this.ctx, this.tenantId, conversationId, lastSeq, { includeInternal: true });
      missed.push(...page.items);
      if (page.more) more.push(conversationId);
    }
    const convIds = [...new Set(missed.map((m) => m.conversationId))];
    if (convIds.length) {
      const convs = await this.ctx.storage.db.selectFrom('conversations').select(['id', 'visitor_id']).where('tenant_id', '=', this.tenantId).where('id', 'in', convIds).execute();
      await recordAccess(this.ctx, this.who, 'messages.read', convs.flatMap((c) => messageExposure(this.tenantId, c.id, c.visitor_id, missed.filter((m) => m.conversationId === c.id))));
    }
    this.send({ type: 'ready', agent: presentAgent(this.agent), messages: missed, more });
  }

  protected async onFrame(frame: AgentClientFrame): Promise<void> {
    const actor = { kind: 'agent' as const, tenantId: this.tenantId, agent: this.agent };
    if (frame.type === 'message.send') {
      this.mayWrite();
      this.limits.message(this.address, this.tenantId, null);
      await this.untilQueued(frame, async (queued) => {
        const { message } = await createMessage(this.ctx, actor, { clientId: frame.clientId, body: frame.body, conversationId: frame.conversationId, internal: frame.internal, fromSocket: this.socketId, queued });
        this.sendRaw(ackFrameJson(frame.clientId, message)); // the message's JSON is shared with the `message` frame
      });
    } else if (frame.type === 'typing') {
      this.mayWrite();
      if (!frame.conversationId) throw new AppError('validation_failed', 'conversationId is required');
      const conv = await this.conversation(frame.conversationId);
      await this.ctx.bus.publish({ type: 'typing', tenantId: this.tenantId, conversationId: conv.id, visitorId: conv.visitor_id, from: 'agent', on: frame.on });
      await this.collision.typing(conv.id, frame.on);
    } else if (frame.type === 'viewing') {
      if (frame.conversationId !== null) await this.conversation(frame.conversationId); // another tenant's id: not found
      await this.collision.viewing(frame.conversationId);
    } else if (frame.type === 'receipt') {
      this.mayWrite();
      if (!frame.conversationId) throw new AppError('validation_failed', 'conversationId is required');
      await recordReceipt(this.ctx, { kind: 'agent', tenantId: this.tenantId }, frame.conversationId, frame);
    } else if (frame.type === 'history') {
      const conv = await this.conversation(frame.conversationId);
      const page = await messagesAfter(this.ctx, this.tenantId, conv.id, frame.afterSeq, { includeInternal: true });
      await recordAccess(this.ctx, this.who, 'messages.read', messageExposure(this.tenantId, conv.id, conv.visitor_id, page.items));
      this.send({ type: 'history', conversationId: conv.id, messages: page.items, more: page.more });
    }
  }

  private async conversation(id: string) {
    const row = await this.ctx.storage.db.selectFrom('conversations').select(['id', 'tenant_id', 'visitor_id']).where('id', '=', id).executeTakeFirst();
    return assertSameTenant({ tenantId: this.tenantId }, row, 'conversation');
  }

  /** This socket's presence row (see commands/agentPresence.ts); refreshed by the gateway's heartbeat. */
  presenceRegistered = false;

  /** Who else is in the conversation this console shows (collision detection, issue 20). */
  private collisionTracker?: CollisionTracker;
  private get collision(): CollisionTracker {
    return (this.collisionTracker ??= new CollisionTracker(this.ctx, () => ({ tenantId: this.tenantId, agent: { id: this.agent.id, name: this.agent.name } })));
  }

  /** Another agent started viewing `conversationId`: if this console shows it, say so to them. */
  peerArrived(conversationId: string): void {
    this.collision.answer(conversationId).catch((err: Error) => this.log.warn({ err: err.message }, 'activity reply failed'));
  }

  protected onClose(): void {
    this.collisionTracker?.closed().catch(() => {});
    this.rooms.leaveAgent(this);
    if (this.presenceRegistered) {
      this.presenceRegistered = false;
      agentSocketClosed(this.ctx, this.agent, this.socketId).catch((err: Error) => this.log.warn({ err: err.message }, 'presence not cleared; it expires'));
    }
  }
}
