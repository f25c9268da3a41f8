/**
 * What makes the demo show the product on `npm start` (DEMO_CONTENT, on by default): a Support team
 * with business hours, saved replies, knowledge-base articles with the bot on, a second agent, and a
 * few past conversations (answered, resolved, rated, spread over the last days) so analytics has
 * data. Each part is added only when missing, so every start may call this (idempotent).
 */
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { randomToken } from '../security/ids.js';
import { createAgent } from './agentCreator.js';
import { saveCannedResponse } from './cannedResponseEditor.js';
import { saveArticle, saveContactSettings } from './kbArticleEditor.js';
import { createMessage } from './messageCreator.js';
import { rateConversation } from './satisfactionRater.js';
import { setConversationStatus } from './conversationStatusChanger.js';
import { saveTeam } from './teamEditor.js';
import { startVisitorSession } from './visitorSessionStarter.js';

const DAY = 86_400_000;
const WEEKDAY: Array<[string, string]> = [['08:00', '20:00']];
const WEEKEND: Array<[string, string]> = [['10:00', '18:00']];

const ARTICLES = [
  { title: 'Shipping times', body: 'Orders placed before 3 pm ship the same day. Delivery takes 2–4 working days in Europe and 5–8 elsewhere. You get a tracking link by email as soon as your parcel leaves our warehouse.' },
  { title: 'Returns and refunds', body: 'You can return any unused item within 30 days for a full refund. Start a return from your order page; the label is free. Refunds reach your card 3–5 days after we receive the parcel.' },
  { title: 'Sizing guide', body: 'Our jackets run true to size. If you are between two sizes, take the larger one for layering. Boots run half a size small: order half a size up.' },
  { title: 'Payment methods', body: 'We accept Visa, Mastercard, American Express and PayPal. Your card details are entered on our secure checkout and never shared in chat: if you type a card number here it is hidden before it is sent.' },
];

const CANNED = [
  { shortcut: 'hello', title: 'Greeting', body: 'Hi {{visitor.name}}, thanks for reaching out! I am {{agent.name}}, how can I help?' },
  { shortcut: 'refund', title: 'Refund on its way', body: 'Hi {{visitor.name}}, your refund is on its way: it reaches your card within 3–5 working days. — {{agent.name}}' },
  { shortcut: 'track', title: 'Tracking link', body: 'You can follow your parcel with the tracking link in your shipping email. Anything else I can do?' },
  { shortcut: 'bye', title: 'Closing', body: 'Glad I could help, {{visitor.name}}. Have a great day!' },
];

/** Past chats: [visitor name, email, what they wrote, the agent's answer, days ago, minutes to answer, rating]. */
const PAST: Array<[string, string, string, string, number, number, number]> = [
  ['Chloé Martin', 'chloe@example.com', 'Hello, has my order #1042 shipped yet?', 'Hi Chloé, yes: it left this morning, the tracking link is in your email.', 6, 2, 5],
  ['Ben Okafor', 'ben@example.com', 'Do the Ridge boots run small?', 'They do, by half a size: we recommend ordering half a size up.', 5, 4, 4],
  ['Ines Duarte', 'ines@example.com', 'I would like to return a jacket that is too big.', 'No problem: start the return from your order page, the label is free.', 4, 1, 5],
  ['Tom Becker', 'tom@example.com', 'My parcel says delivered but I have nothing.', 'Sorry about that! I have opened an investigation with the carrier and will email you within 24 hours.', 3, 9, 3],
  ['Yuki Sato', 'yuki@example.com', 'Can I pay with PayPal?', 'Yes, PayPal is available at checkout.', 2, 3, 5],
  ['Lena Fischer', 'lena@example.com', 'Is the Summit tent waterproof?', 'It is, with a 3,000 mm rating and taped seams.', 1, 6, 4],
];

export async function seedDemoContent(ctx: Ctx, tenantId: string): Promise<{ agent: { email: string; password: string } | null }> {
  const db = ctx.storage.db;
  const tenant = await db.selectFrom('tenants').select(['id', 'widget_key']).where('id', '=', tenantId).executeTakeFirstOrThrow();
  const admin = (await db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('role', '=', 'admin').orderBy('created_at').limit(1).executeTakeFirst()) as Agent | undefined;
  if (!admin) return { agent: null };

  // A second agent (to transfer to, and for per-agent analytics); the password is printed once.
  let created: { email: string; password: string } | null = null;
  const email = 'alex@demo.parley.local';
  let second = (await db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('email', '=', email).executeTakeFirst()) as Agent | undefined;
  if (!second) {
    const password = randomToken(12);
    second = await createAgent(db, { tenantId, email, name: 'Alex Rivera', role: 'agent', password });
    created = { email, password };
  }

  if (!(await db.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst())) {
    await saveTeam(ctx, admin, null, {
      name: 'Support',
      strategy: 'least_busy',
      isDefault: true,
      timeZone: 'Europe/Paris',
      weeklyHours: { mon: WEEKDAY, tue: WEEKDAY, wed: WEEKDAY, thu: WEEKDAY, fri: WEEKDAY, sat: WEEKEND, sun: WEEKEND },
      holidays: [],
      notifyEmail: null,
      memberIds: [admin.id, second.id],
    });
  }
  if (!(await db.selectFrom('canned_responses').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst())) {
    for (const c of CANNED) await saveCannedResponse(ctx, admin, null, c);
  }

  // Past conversations before the bot is switched on (it would answer them otherwise).
  if (!(await db.selectFrom('conversations').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst())) {
    for (const [i, [name, mail, question, answer, daysAgo, minutes, rating]] of PAST.entries()) {
      const agent = i % 2 === 0 ? admin : second;
      const session = await startVisitorSession(ctx, { key: tenant.widget_key, name, email: mail }, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
      const visitor = { kind: 'visitor' as const, tenantId, visitorId: session.visitorId };
      const { message } = await createMessage(ctx, visitor, { clientId: `demo-${i}-q`, body: question });
      const conversationId = message.conversationId;
      await createMessage(ctx, { kind: 'agent', tenantId, agent }, { clientId: `demo-${i}-a`, conversationId, body: answer });
      await setConversationStatus(ctx, agent, conversationId, 'resolved');
      await rateConversation(ctx, { tenantId, visitorId: session.visitorId }, { conversationId, rating });
      // Moved into the past: asked `daysAgo` days ago, answered `minutes` later, resolved 20 minutes after.
      const start = Date.now() - daysAgo * DAY;
      await db.updateTable('conversations').set({ created_at: start, updated_at: start + (minutes + 20) * 60_000, resolved_at: start + (minutes + 20) * 60_000, assignee_id: agent.id }).where('id', '=', conversationId).where('tenant_id', '=', tenantId).execute();
      await db.updateTable('messages').set({ created_at: start }).where('conversation_id', '=', conversationId).where('tenant_id', '=', tenantId).where('seq', '=', 1).execute();
      await db.updateTable('messages').set({ created_at: start + minutes * 60_000 }).where('conversation_id', '=', conversationId).where('tenant_id', '=', tenantId).where('seq', '>', 1).execute();
      await db.updateTable('satisfaction_ratings').set({ created_at: start + (minutes + 25) * 60_000 }).where('conversation_id', '=', conversationId).where('tenant_id', '=', tenantId).execute();
    }
  }

  if (!(await db.selectFrom('kb_articles').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst())) {
    for (const a of ARTICLES) await saveArticle(ctx, admin, null, a);
    await saveContactSettings(ctx, admin, { botEnabled: true });
  }
  return { agent: created };
}
