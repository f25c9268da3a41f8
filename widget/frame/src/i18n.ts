/** Every visible string of the widget frame. English and French are complete; others fall back to English. */

const en = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  unread: (n: number) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  chatWith: (name: string) => `Chat with ${name}`,
  online: 'We’re online',
  away: 'We’ll reply as soon as we can',
  preChatTitle: 'Before we start',
  preChatHint: 'Tell us who you are so we can follow up. Both fields are optional.',
  name: 'Name',
  email: 'Email',
  optional: 'optional',
  namePlaceholder: 'Jane Doe',
  emailPlaceholder: 'jane@example.com',
  startChat: 'Start chat',
  starting: 'Starting…',
  sessionFailed: 'We couldn’t start the chat. Please try again.',
  invalidEmail: 'Please enter a valid email address, or leave it empty.',
  message: 'Message',
  messagePlaceholder: 'Write a message…',
  send: 'Send',
  sendHint: 'Enter to send, Shift+Enter for a new line',
  you: 'You',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  retry: 'Retry',
  agentTyping: 'Agent is typing…',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  unavailable: 'Chat is unavailable right now.',
  redactedNote: 'Card details were hidden from your message to keep them safe.',
  tooLong: (max: number) => `Messages can be at most ${max} characters.`,
  resolved: 'This conversation was marked as resolved. Write again any time.',
  emptyLog: 'Ask us anything, we’re here to help.',
  messages: 'Messages',
  loadFailed: 'Chat could not be loaded.',
};

export type Dict = typeof en;

const fr: Dict = {
  openChat: 'Ouvrir le chat',
  closeChat: 'Fermer le chat',
  unread: (n) => (n === 1 ? '1 message non lu' : `${n} messages non lus`),
  chatWith: (name) => `Discuter avec ${name}`,
  online: 'Nous sommes en ligne',
  away: 'Nous vous répondrons dès que possible',
  preChatTitle: 'Avant de commencer',
  preChatHint: 'Dites-nous qui vous êtes pour que nous puissions vous recontacter. Les deux champs sont facultatifs.',
  name: 'Nom',
  email: 'E-mail',
  optional: 'facultatif',
  namePlaceholder: 'Marie Dupont',
  emailPlaceholder: 'marie@exemple.fr',
  startChat: 'Démarrer la discussion',
  starting: 'Démarrage…',
  sessionFailed: 'Impossible de démarrer la discussion. Veuillez réessayer.',
  invalidEmail: 'Saisissez une adresse e-mail valide, ou laissez le champ vide.',
  message: 'Message',
  messagePlaceholder: 'Écrivez un message…',
  send: 'Envoyer',
  sendHint: 'Entrée pour envoyer, Maj+Entrée pour aller à la ligne',
  you: 'Vous',
  sending: 'Envoi…',
  sent: 'Envoyé',
  failed: 'Non envoyé',
  retry: 'Réessayer',
  agentTyping: 'Un conseiller écrit…',
  connecting: 'Connexion…',
  reconnecting: 'Reconnexion…',
  unavailable: 'Le chat est indisponible pour le moment.',
  redactedNote: 'Les données de carte ont été masquées dans votre message, pour votre sécurité.',
  tooLong: (max) => `Un message peut contenir au plus ${max} caractères.`,
  resolved: 'Cette conversation a été marquée comme résolue. Écrivez-nous quand vous voulez.',
  emptyLog: 'Posez-nous vos questions, nous sommes là pour vous aider.',
  messages: 'Messages',
  loadFailed: 'Le chat n’a pas pu être chargé.',
};

export const DICTIONARIES = { en, fr } as const;
export type Lang = keyof typeof DICTIONARIES;

/** Picks the first supported language from the browser's preferences (the tenant's setting will come later). */
export function pickLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && base in DICTIONARIES) return base as Lang;
  }
  return 'en';
}

export const lang: Lang =
  typeof navigator === 'undefined' ? 'en' : pickLang(navigator.languages?.length ? navigator.languages : [navigator.language]);

export const t: Dict = DICTIONARIES[lang];
