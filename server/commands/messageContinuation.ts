/**
 * A card number typed over several consecutive messages of one author ("4242 4242", then
 * "4242 4242"): the new message is redacted together with the digits that ended the author's
 * previous messages in the conversation (protocol/redaction.ts, redactContinuing), and the earlier
 * messages' parts are masked in place.
 *
 * The earlier part is read from the database, not from memory: only when the new message begins
 * with a digit, or with a masked card (the frame masked the later part already: the earlier digits
 * are then masked if they can begin a card) — rare in chat, so no cost for the common message — the author's last few messages of
 * the conversation within CONTINUATION_WINDOW_MS are opened (others' replies in between are skipped). So it works whichever node took each
 * message and across restarts. Every author kind is covered (visitor and agent; the bot's text is
 * the tenant's own).
 *
 * An earlier message that held part of the card is rewritten (body re-sealed, its search tokens for
 * the removed digits dropped) and published again as `message.redacted`: clients replace the
 * message with the same id (the `message` frame), and webhooks receive `message.created` again for
 * the same message id with the masked body. What had already left before the later part arrived
 * (a webhook already delivered) carried only that earlier part: a card's digits split in two.
 */
import { CONTINUATION, mayContinueCard, redactContinuing, type ContinuationResult } from '../../protocol/redaction.js';
import type { Actor, Ctx } from '../context.js';
import { latestConversationId } from '../queries/conversationQueries.js';
import { blindToken, normaliseWords } from '../security/blindIndex.js';
import { openMessages, sealMessage } from '../security/sealedFields.js';
import { presentMessage } from '../presenters/presenters.js';
import type { Message } from '../storage/schema.js';

/** Earlier messages older than this are not joined with a new one. */
export const CONTINUATION_WINDOW_MS = 10 * 60_000;
/** The conversation's last messages read: a card typed a digit per message, with replies in between. */
const LOOK_BACK = 2 * CONTINUATION.maxMessages;

export interface Continuation {
  /** The new message's text, redacted (with the parts of a card that began earlier). */
  body: string;
  /** Apply after the new message is stored: masks the earlier parts and tells clients. */
  apply: () => Promise<void>;
}

const nothing = async () => {};

/** Whether a new message may continue a card begun in its author's earlier messages: only then are they read. */
export function mayContinueEarlier(actor: Actor, body: string): boolean {
  return actor.kind !== 'system' && mayContinueCard(body);
}

/** A message that cannot continue an earlier card (mayContinueEarlier false): redacted on its own, synchronously. */
export function redactAlone(body: string, patterns: RegExp[]): Continuation {
  return { body: redactContinuing([], body, patterns).text, apply: nothing };
}

export async function redactWithEarlier(ctx: Ctx, actor: Actor, conversationId: string | undefined, body: string, patterns: RegExp[]): Promise<Continuation> {
  const plain = (): Continuation => redactAlone(body, patterns);
  if (actor.kind === 'system' || !mayContinueCard(body)) return plain();
  const db = ctx.storage.db;
  const convId = conversationId ?? (actor.kind === 'visitor' ? await latestConversationId(db, actor.tenantId, actor.visitorId, { openOnly: true }) : null);
  if (!convId) return plain();
  const authorId = actor.kind === 'agent' ? actor.agent.id : actor.visitorId;
  const recent = await db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where('conversation_id', '=', convId)
    .where('created_at', '>', Date.now() - CONTINUATION_WINDOW_MS)
    .orderBy('seq', 'desc')
    .limit(LOOK_BACK)
    .execute();
  // The author's own messages, newest first: a reply of the bot or an agent in between does not
  // stop a visitor's number (the frame joins its own sent messages the same way).
  const mine = recent.filter((m) => m.author_kind === actor.kind && m.author_id === authorId);
  if (mine.length === 0) return plain();
  const opened = (await openMessages(ctx.keyring, mine)).reverse();
  const r: ContinuationResult = redactContinuing(
    opened.map((m) => m.body),
    body,
    patterns,
  );
  if (r.earlier.every((e) => e === null)) return { body: r.text, apply: nothing };
  return { body: r.text, apply: () => maskEarlier(ctx, actor.tenantId, opened, r.earlier) };
}

async function maskEarlier(ctx: Ctx, tenantId: string, opened: Message[], bodies: Array<string | null>): Promise<void> {
  const db = ctx.storage.db;
  const dk = await ctx.keyring.dataKey(tenantId);
  const searchKey = await ctx.keyring.searchKey(tenantId);
  for (let k = 0; k < opened.length; k++) {
    const body = bodies[k];
    const m = opened[k]!;
    if (body === null || body === undefined) continue;
    // All sealed fields of a row share its key version: re-seal them together.
    const sealed = sealMessage(dk, { ...m, body });
    await db
      .updateTable('messages')
      .set({ body: sealed.body, author_name: sealed.author_name, attachment: sealed.attachment ?? null, key_version: sealed.key_version })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', m.id)
      .execute();
    const kept = new Set(normaliseWords(body));
    const dropped = normaliseWords(m.body).filter((w) => !kept.has(w)).map((w) => blindToken(searchKey, w));
    if (dropped.length) await db.deleteFrom('message_search').where('tenant_id', '=', tenantId).where('message_id', '=', m.id).where('token', 'in', dropped).execute();
    const conv = await db.selectFrom('conversations').select(['visitor_id']).where('tenant_id', '=', tenantId).where('id', '=', m.conversation_id).executeTakeFirst();
    if (conv) await ctx.bus.publish({ type: 'message.redacted', tenantId, conversationId: m.conversation_id, visitorId: conv.visitor_id, message: presentMessage({ ...m, body }) });
  }
}
