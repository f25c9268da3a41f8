import type { WebSocket } from 'ws';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { VisitorHello, VisitorHistory, MessageSend, Typing, Ping, Receipt, Handoff, type VisitorClientFrame, type VisitorServerFrame } from '../../protocol/realtime.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { createMessage } from '../commands/messageCreator.js';
import { recordReceipt } from '../commands/receiptRecorder.js';
import { handOff } from '../commands/botResponder.js';
import { queueEntryOf } from '../queries/queueQueries.js';
import { newId } from '../security/ids.js';
import { conversationView, latestConversationId } from '../queries/conversationQueries.js';
import { forVisitor } from '../presenters/presenters.js';
import { messagesAfter } from '../queries/messageQueries.js';
import { contactOfVisitor, conversationsOfVisitors, ownerVisibleTo, visitorMaySee } from '../queries/contactQueries.js';
import { LIMITS } from '../../protocol/limits.js';
import { Connection } from './connection.js';
import { frameReader } from './frameReader.js';
import type { Rooms } from './rooms.js';
import type { AbuseLimits } from '../security/abuseLimits.js';
import { messageExposure, recordAccess, type Accessor } from '../security/accessAudit.js';
import { RecordedOnce } from './recordedOnce.js';
import { ackFrameJson } from './messageFrames.js';

const reader = frameReader({ hello: VisitorHello, 'message.send': MessageSend, typing: Typing, ping: Ping, receipt: Receipt, handoff: Handoff, history: VisitorHistory });

export class VisitorConnection extends Connection<VisitorClientFrame, VisitorServerFrame> {
  tenantId = '';
  visitorId = '';
  /** The contact (customer) of this browser (issue 20): its sockets follow all the contact's conversations. */
  contactId: string | null = null;
  /**
   * Conversations of the contact's *other* browsers durably recorded as seen by this socket (one
   * audit entry each per socket session, like an agent socket's live deliveries; written before the
   * frame that shows them is sent). A verified shopper's
   * second device reading the first one's conversations is an exposure of those conversations to
   * another browser: if the tenant's identity secret or a shopper's signed identity leaks, the
   * exposure report must be able to list what that browser read (docs/SECURITY.md, *Access audit*).
   * Its own conversations are not recorded: the data subject's own browser reading what it wrote
   * reaches nobody new, and would add an entry per page view.
   */
  private readonly seenOthers = new RecordedOnce();

  constructor(
    ws: WebSocket,
    log: Logger,
    private readonly ctx: Ctx,
    private readonly rooms: Rooms,
    private readonly limits: AbuseLimits,
    private readonly address: string,
  ) {
    super(ws, reader, log, ctx.metrics);
  }

  protected async onHello(frame: VisitorClientFrame): Promise<void> {
    if (frame.type !== 'hello') return;
    const claim = this.ctx.visitorTokens.verify(frame.token);
    if (!claim) throw new AppError('unauthorized', 'visitor token is not valid');
    const db = this.ctx.storage.db;
    const visitor = await db.selectFrom('visitors').select(['id']).where('id', '=', claim.visitorId).where('tenant_id', '=', claim.tenantId).executeTakeFirst();
    if (!visitor) throw new AppError('unauthorized', 'visitor no longer exists');
    this.limits.connectionOf(claim.tenantId, claim.visitorId);
    this.tenantId = claim.tenantId;
    this.visitorId = claim.visitorId;
    // Join the rooms before reading, so no event between the query and the join is missed (a message
    // in both is deduplicated by the client by id). The contact's browsers are read after joining its
    // room: one that joins meanwhile is either read here or announced by `contact.linked`.
    this.rooms.joinVisitor(this);
    const { contactId, visitorIds } = await contactOfVisitor(this.ctx, this.tenantId, this.visitorId);
    this.contactId = contactId;
    this.rooms.joinVisitor(this, visitorIds);
    const latest = await latestConversationId(db, this.tenantId, this.visitorId);
    const conversation = latest ? await conversationView(this.ctx, this.tenantId, latest) : null;
    const page = latest ? await messagesAfter(this.ctx, this.tenantId, latest, frame.lastSeq ?? 0, { includeInternal: false }) : { items: [], more: false };
    // Every conversation of the contact (all the shopper's devices when verified; this browser's otherwise).
    const conversations = await conversationsOfVisitors(this.ctx, this.tenantId, visitorIds, LIMITS.historyPageSize);
    await this.recordOthers('conversation.read', conversations.filter((c) => c.visitor.id !== this.visitorId).map((c) => ({ conversationId: c.id, visitorId: c.visitor.id })));
    this.send({ type: 'ready', visitorId: this.visitorId, conversation: conversation && forVisitor(conversation), messages: page.items, more: page.more, conversations: conversations.map(forVisitor) });
    // A message left offline waits for an email answer, not in line: its visitor is not told a place.
    if (conversation && conversation.status === 'open' && !conversation.assignee && conversation.channel !== 'offline') {
      const place = await queueEntryOf(db, this.tenantId, conversation.id);
      if (place) this.send({ type: 'queue', conversationId: place.conversationId, position: place.position, estimatedWaitSeconds: place.estimatedWaitSeconds });
    }
  }

  protected async onFrame(frame: VisitorClientFrame): Promise<void> {
    const actor = { kind: 'visitor' as const, tenantId: this.tenantId, visitorId: this.visitorId };
    if (frame.type === 'message.send') {
      if (frame.internal) throw new AppError('forbidden', 'visitors cannot write private notes');
      this.limits.message(this.address, this.tenantId, this.visitorId);
      await this.untilQueued(frame, async (queued) => {
        const { message } = await createMessage(this.ctx, actor, { clientId: frame.clientId, body: frame.body, conversationId: frame.conversationId, newConversation: frame.newConversation, fromSocket: this.socketId, queued });
        this.sendRaw(ackFrameJson(frame.clientId, message)); // the message's JSON is shared with the `message` frame
      });
    } else if (frame.type === 'receipt' || frame.type === 'handoff') {
      const current = frame.conversationId ? await this.own(frame.conversationId) : await latestConversationId(this.ctx.storage.db, this.tenantId, this.visitorId);
      if (!current) return;
      if (frame.type === 'receipt') await recordReceipt(this.ctx, { kind: 'visitor', tenantId: this.tenantId, visitorId: this.visitorId }, current, frame);
      else await handOff(this.ctx, this.tenantId, current, newId('handoff'));
    } else if (frame.type === 'history') {
      // The visitor's own conversations, or their contact's: another's id is "not found", like one that does not exist.
      const id = frame.conversationId ?? (await latestConversationId(this.ctx.storage.db, this.tenantId, this.visitorId));
      // Its owner comes with the check: another browser's conversation is recorded as read (access audit).
      const owner = id ? await ownerVisibleTo(this.ctx, this.tenantId, this.visitorId, id) : null;
      if (!id || !owner) throw new AppError('not_found', 'conversation not found');
      const page = await messagesAfter(this.ctx, this.tenantId, id, frame.afterSeq, { includeInternal: false });
      if (page.items.length && owner !== this.visitorId) await recordAccess(this.ctx, this.who(), 'messages.read', messageExposure(this.tenantId, id, owner, page.items));
      this.send({ type: 'history', conversationId: id, messages: page.items, more: page.more });
    } else if (frame.type === 'typing') {
      const latest = frame.conversationId ? await this.own(frame.conversationId) : await latestConversationId(this.ctx.storage.db, this.tenantId, this.visitorId, { openOnly: true });
      if (!latest) return; // nobody to tell before the first message
      await this.ctx.bus.publish({ type: 'typing', tenantId: this.tenantId, conversationId: latest, visitorId: this.visitorId, from: 'visitor', on: frame.on });
    }
  }

  private who(): Accessor {
    return { kind: 'visitor', tenantId: this.tenantId, visitorId: this.visitorId, address: this.address };
  }

  /** Records the first sight on this socket of conversations of the contact's other browsers; resolves once durable, before the frame is sent. */
  private recordOthers(action: string, seen: Array<{ conversationId: string; visitorId: string }>): Promise<void> {
    const others = seen.filter((c) => c.visitorId !== this.visitorId);
    if (others.length === 0) return Promise.resolve();
    const owner = new Map(others.map((c) => [c.conversationId, c.visitorId]));
    return this.seenOthers.all([...owner.keys()], (fresh) =>
      recordAccess(this.ctx, this.who(), action, fresh.map((conversationId) => ({ tenantId: this.tenantId, resourceType: 'conversation', resourceId: conversationId, conversationId, visitorId: owner.get(conversationId)! }))),
    );
  }

  /**
   * Called by Rooms with every frame carrying a conversation's data for this socket: another
   * browser's conversation leaves only once its entry is written (as for agents: Connection.sendAudited);
   * this browser's own, or one already recorded, goes straight out.
   */
  deliver(json: string, conversationId: string, visitorId: string): void {
    this.sendAudited(json, conversationId, visitorId === this.visitorId || this.seenOthers.has(conversationId) ? null : this.recordOthers('conversation.live', [{ conversationId, visitorId }]));
  }

  /** The id, when this visitor may see that conversation (theirs or their contact's), else null. */
  private async own(conversationId: string): Promise<string | null> {
    return (await visitorMaySee(this.ctx, this.tenantId, this.visitorId, conversationId)) ? conversationId : null;
  }

  protected onClose(): void {
    this.rooms.leaveVisitor(this);
  }
}
