import type { WebSocket } from 'ws';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { AgentHello, MessageSend, Typing, History, Ping, type AgentClientFrame, type AgentServerFrame } from '../../protocol/realtime.js';
import type { MessageView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { createMessage } from '../commands/messageCreator.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { presentAgent } from '../presenters/presenters.js';
import { messagesAfter } from '../queries/messageQueries.js';
import { Connection } from './connection.js';
import { frameReader } from './frameReader.js';
import type { Rooms } from './rooms.js';
import type { AbuseLimits } from '../security/abuseLimits.js';

const reader = frameReader({ hello: AgentHello, 'message.send': MessageSend, typing: Typing, history: History, ping: Ping });

/** An agent's socket: authenticated by the session cookie at upgrade, then receives its whole tenant's inbox events. */
export class AgentConnection extends Connection<AgentClientFrame, AgentServerFrame> {
  constructor(
    ws: WebSocket,
    log: Logger,
    private readonly ctx: Ctx,
    private readonly rooms: Rooms,
    readonly agent: Agent,
    private readonly limits: AbuseLimits,
    private readonly address: string,
  ) {
    super(ws, reader, log);
  }

  get tenantId(): string {
    return this.agent.tenant_id;
  }

  protected async onHello(frame: AgentClientFrame): Promise<void> {
    if (frame.type !== 'hello') return;
    this.rooms.joinAgent(this);
    const missed: MessageView[] = [];
    for (const [conversationId, lastSeq] of Object.entries(frame.lastSeqs ?? {})) {
      const page = await messagesAfter(this.ctx.storage.db, this.tenantId, conversationId, lastSeq, { includeInternal: true });
      missed.push(...page.items);
    }
    this.send({ type: 'ready', agent: presentAgent(this.agent), messages: missed });
  }

  protected async onFrame(frame: AgentClientFrame): Promise<void> {
    const actor = { kind: 'agent' as const, tenantId: this.tenantId, agent: this.agent };
    if (frame.type === 'message.send') {
      this.limits.message(this.address, this.tenantId, null);
      const { message } = await createMessage(this.ctx, actor, { clientId: frame.clientId, body: frame.body, conversationId: frame.conversationId, internal: frame.internal });
      this.send({ type: 'ack', clientId: frame.clientId, message });
    } else if (frame.type === 'typing') {
      if (!frame.conversationId) throw new AppError('validation_failed', 'conversationId is required');
      const conv = await this.conversation(frame.conversationId);
      await this.ctx.bus.publish({ type: 'typing', tenantId: this.tenantId, conversationId: conv.id, visitorId: conv.visitor_id, from: 'agent', on: frame.on });
    } else if (frame.type === 'history') {
      const conv = await this.conversation(frame.conversationId);
      const page = await messagesAfter(this.ctx.storage.db, this.tenantId, conv.id, frame.afterSeq, { includeInternal: true });
      this.send({ type: 'history', conversationId: conv.id, messages: page.items, more: page.more });
    }
  }

  private async conversation(id: string) {
    const row = await this.ctx.storage.db.selectFrom('conversations').select(['id', 'tenant_id', 'visitor_id']).where('id', '=', id).executeTakeFirst();
    return assertSameTenant({ tenantId: this.tenantId }, row, 'conversation');
  }

  protected onClose(): void {
    this.rooms.leaveAgent(this);
  }
}
