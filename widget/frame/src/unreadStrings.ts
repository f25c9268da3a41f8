/** Words of the conversation list's unread marker (issue 20), in every language of i18n.ts. */
import { lang, type Lang } from './i18n.js';

const WORDS: Record<Lang, { newReply: string }> = {
  en: { newReply: 'New reply' },
  fr: { newReply: 'Nouvelle réponse' },
};

export const unreadWords = (): { newReply: string } => WORDS[lang];
