/**
 * The knowledge-base bot: answers a visitor's message from the tenant's articles when confident,
 * and otherwise (or when the visitor asks for a person) hands the conversation to the queue. Its
 * messages are ordinary messages (author kind "system", id "bot"), so the agent who takes over sees
 * the whole exchange. A bot reply's clientId derives from the visitor message it answers, so several
 * nodes handling the same event store it once.
 */
import type { Ctx } from '../context.js';
import { createMessage } from './messageCreator.js';
import { answerFromKnowledgeBase } from '../queries/kbSearch.js';
import { conversationView } from '../queries/conversationQueries.js';
import { defaultTeam } from '../queries/contactSettingsQueries.js';
import type { MessageView } from '../../protocol/records.js';
import { preparedQuery } from '../storage/preparedQuery.js';
import { conversationText } from '../i18n/serverText.js';

/** Asked for every visitor message, so compiled once (storage/preparedQuery.ts). */
const botState = preparedQuery<{ tenantId: string; id: string }, { bot_active: number; status: string; queued_at: number | null }>((db, p) =>
  db.selectFrom('conversations').select(['bot_active', 'status', 'queued_at']).where('tenant_id', '=', p('tenantId')).where('id', '=', p('id')),
);

export const BOT_NAME = 'Assistant';
const WANTS_PERSON = /\b(human|person|agent|someone|operator|humain|personne|conseill[eè]re?|quelqu'un)\b/i;
const MAX_ANSWER_CHARS = 1500;

/**
 * `with_people`: the conversation has been queued for people (or handed off, or transferred) and the
 * bot will never take it again — the bot is switched on only while `queued_at` is null
 * (commands/conversationIntake.ts) and `queued_at` is never cleared — so callers may stop asking.
 */
export async function botAnswer(ctx: Ctx, tenantId: string, message: MessageView): Promise<'answered' | 'handed_off' | 'skipped' | 'with_people'> {
  if (message.author.kind !== 'visitor' || message.internal) return 'skipped';
  const conv = await botState.first(ctx.storage.db, { tenantId, id: message.conversationId });
  if (conv && conv.bot_active !== 1 && conv.queued_at !== null) return 'with_people';
  if (!conv || conv.bot_active !== 1 || conv.status !== 'open') return 'skipped';
  const system = { kind: 'system' as const, tenantId, name: BOT_NAME, bot: true as const };
  if (!WANTS_PERSON.test(message.body)) {
    const answer = await answerFromKnowledgeBase(ctx.storage.db, tenantId, message.body);
    if (answer) {
      const text = answer.article.body.length > MAX_ANSWER_CHARS ? answer.article.body.slice(0, MAX_ANSWER_CHARS) + '…' : answer.article.body;
      await createMessage(ctx, system, { clientId: `bot-${message.id}`, conversationId: message.conversationId, body: `${answer.article.title}\n\n${text}` });
      return 'answered';
    }
  }
  await handOff(ctx, tenantId, message.conversationId, `bot-handoff-${message.id}`);
  return 'handed_off';
}

/** Ends the bot's part: the conversation joins its team's queue, and both sides are told. */
export async function handOff(ctx: Ctx, tenantId: string, conversationId: string, clientId: string): Promise<boolean> {
  const db = ctx.storage.db;
  const team = await defaultTeam(db, tenantId);
  const row = await db.selectFrom('conversations').select(['team_id']).where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
  const r = await db
    .updateTable('conversations')
    .set({ bot_active: 0, queued_at: Date.now(), updated_at: Date.now(), ...(row && !row.team_id && team ? { team_id: team.id } : {}) })
    .where('id', '=', conversationId)
    .where('tenant_id', '=', tenantId)
    .where('bot_active', '=', 1)
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return false;
  await createMessage(ctx, { kind: 'system', tenantId, name: BOT_NAME }, { clientId, conversationId, body: (await conversationText(db, tenantId, conversationId)).handoff });
  await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation: await conversationView(ctx, tenantId, conversationId) });
  return true;
}
