/**
 * Collision detection for one agent socket (issue 20): which conversation the console shows, and
 * whether the agent types in it, published as `agent.activity` on the bus so consoles on every node
 * learn who else is there. A newcomer's "viewing" is answered by each console already showing the
 * conversation (Rooms calls peerArrived), so both sides know at once; consoles re-send "viewing"
 * every ~15 s and forget entries older than ACTIVITY_TTL_MS, which also covers a node that died.
 */
import type { Ctx } from '../context.js';

type Who = () => { tenantId: string; agent: { id: string; name: string } };

export class CollisionTracker {
  private current: string | null = null;
  private typingIn: string | null = null;

  constructor(
    private readonly ctx: Ctx,
    private readonly who: Who,
  ) {}

  private publish(conversationId: string, state: 'viewing' | 'typing' | 'left', reply = false): Promise<void> {
    const { tenantId, agent } = this.who();
    return this.ctx.bus.publish({ type: 'agent.activity', tenantId, conversationId, agent, state, ...(reply ? { reply: true } : {}) });
  }

  async viewing(conversationId: string | null): Promise<void> {
    const previous = this.current;
    this.current = conversationId;
    if (previous && previous !== conversationId) {
      this.typingIn = null;
      await this.publish(previous, 'left');
    }
    if (conversationId) await this.publish(conversationId, 'viewing', previous === conversationId);
  }

  async typing(conversationId: string, on: boolean): Promise<void> {
    if (on) {
      this.current ??= conversationId;
      this.typingIn = conversationId;
      await this.publish(conversationId, 'typing');
    } else if (this.typingIn === conversationId) {
      this.typingIn = null;
      await this.publish(conversationId, 'viewing', true);
    }
  }

  async answer(conversationId: string): Promise<void> {
    if (this.current === conversationId) await this.publish(conversationId, this.typingIn === conversationId ? 'typing' : 'viewing', true);
  }

  async closed(): Promise<void> {
    const previous = this.current;
    this.current = null;
    if (previous) await this.publish(previous, 'left');
  }
}
