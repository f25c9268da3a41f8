/**
 * Words the server writes itself: event notices in conversations (handoff, transfer) and emails
 * (transcript, offline message, invitation), in English and French. Words for a visitor (notices in
 * their conversation, their transcript) follow the widget's language as the frame said it when the
 * session started (visitors.language: the tenant's setting, or the visitor's browser under "auto");
 * otherwise, and for words to the tenant's team, the tenant's widget language (admin › widget), with
 * "auto" meaning English. Message bodies people wrote are never translated.
 */
import type { Db } from '../storage/db.js';

const en = {
  /** A new tenant's greeting until its admin writes one (admin › widget). */
  defaultGreeting: 'Hi! How can we help you today?',
  handoff: 'Connecting you with a person from our team. Everything above stays visible to them.',
  transferredToAgent: (by: string, to: string) => `${by} transferred the conversation to ${to}.`,
  transferredToTeam: (by: string, team: string) => `${by} transferred the conversation to the ${team} team.`,
  transcriptSubject: (tenant: string) => `Your conversation with ${tenant}`,
  transcriptIntro: (tenant: string) => `Here is the transcript of your conversation with ${tenant}.`,
  you: 'You',
  offlineSubject: (tenant: string, from: string) => `[${tenant}] New message from ${from}`,
  offlineIntro: (who: string, email: string, team: string | null) => `${who} <${email}> left a message${team ? ` for ${team}` : ''}:`,
  aVisitor: 'A visitor',
  answerInConsole: (url: string) => `Answer it in the console: ${url}`,
  invitationSubject: (tenant: string) => `You are invited to answer chats for ${tenant} on Parley`,
  invitationBody: (tenant: string, role: string, url: string, expires: string) =>
    [`You have been invited to join ${tenant} on Parley as ${role}.`, '', `Choose your name and password here (the link works once, until ${expires}):`, url, '', 'If you did not expect this, ignore this email.'].join('\n'),
};

export type ServerText = typeof en;

const fr: ServerText = {
  defaultGreeting: 'Bonjour ! Comment pouvons-nous vous aider ?',
  handoff: 'Nous vous mettons en relation avec une personne de notre équipe. Elle voit tout ce qui précède.',
  transferredToAgent: (by, to) => `${by} a transféré la conversation à ${to}.`,
  transferredToTeam: (by, team) => `${by} a transféré la conversation à l’équipe ${team}.`,
  transcriptSubject: (tenant) => `Votre conversation avec ${tenant}`,
  transcriptIntro: (tenant) => `Voici la transcription de votre conversation avec ${tenant}.`,
  you: 'Vous',
  offlineSubject: (tenant, from) => `[${tenant}] Nouveau message de ${from}`,
  offlineIntro: (who, email, team) => `${who} <${email}> a laissé un message${team ? ` pour ${team}` : ''} :`,
  aVisitor: 'Un visiteur',
  answerInConsole: (url) => `Répondez-y dans la console : ${url}`,
  invitationSubject: (tenant) => `Vous êtes invité·e à répondre aux discussions de ${tenant} sur Parley`,
  invitationBody: (tenant, role, url, expires) =>
    [`Vous êtes invité·e à rejoindre ${tenant} sur Parley en tant que ${role}.`, '', `Choisissez votre nom et votre mot de passe ici (le lien sert une fois, jusqu’au ${expires}) :`, url, '', 'Si vous ne vous y attendiez pas, ignorez cet e-mail.'].join('\n'),
};

export const SERVER_TEXT = { en, fr } as const;
export type ServerLang = keyof typeof SERVER_TEXT;

/** The words for a tenant: its widget language, English when "auto" or unknown. */
export async function tenantText(db: Db, tenantId: string): Promise<ServerText> {
  const row = await db.selectFrom('tenant_settings').select('language').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.language === 'fr' ? fr : en;
}

/** The words for one visitor: the language their widget showed, else the tenant's. */
export async function visitorText(db: Db, tenantId: string, visitorId: string): Promise<ServerText> {
  const row = await db.selectFrom('visitors').select('language').where('tenant_id', '=', tenantId).where('id', '=', visitorId).executeTakeFirst();
  const lang = row?.language;
  return lang === 'fr' || lang === 'en' ? SERVER_TEXT[lang] : tenantText(db, tenantId);
}

/** The words for a conversation's notices: its visitor's language, else the tenant's. */
export async function conversationText(db: Db, tenantId: string, conversationId: string): Promise<ServerText> {
  const row = await db.selectFrom('conversations').select('visitor_id').where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
  return row ? visitorText(db, tenantId, row.visitor_id) : tenantText(db, tenantId);
}
