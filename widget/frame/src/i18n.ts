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
  preChatHintOptional: 'Tell us who you are so we can follow up. Every field is optional.',
  preChatHintRequired: 'Tell us who you are so we can follow up.',
  fieldRequired: 'Please fill in this field.',
  phone: 'Phone',
  orderNumber: 'Order number',
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
  // contact centre
  queuePosition: (n: number) => (n === 1 ? 'You are next in line.' : `You are number ${n} in line.`),
  queueWait: (min: number) => (min <= 1 ? 'Expected wait: about a minute.' : `Expected wait: about ${min} minutes.`),
  waitingForAgent: 'Waiting for an agent…',
  delivered: 'Delivered',
  read: 'Read',
  bot: 'Assistant',
  botTag: 'Automatic answer',
  talkToPerson: 'Talk to a person',
  offlineTitle: 'Leave us a message',
  offlineHint: 'We’re not available to chat right now. Leave a message and we’ll answer by email.',
  yourMessage: 'Your message',
  required: 'required',
  sendMessage: 'Send message',
  offlineSent: 'Thanks! We got your message and will reply by email.',
  offlineFailed: 'We couldn’t send your message. Please try again.',
  emailRequired: 'Please enter your email address so we can answer.',
  rateTitle: 'How did we do?',
  rateLegend: 'Rate this conversation',
  stars: (n: number) => (n === 1 ? '1 star' : `${n} stars`),
  comment: 'Comment',
  submitRating: 'Send rating',
  ratingThanks: 'Thank you for your feedback!',
  transcriptTitle: 'Get a copy by email',
  emailTranscript: 'Email me the transcript',
  transcriptSent: 'The transcript is on its way.',
  transcriptFailed: 'We couldn’t send the transcript. Check the address and try again.',
  attach: 'Attach an image or a PDF',
  fileTooBig: 'Files can be at most 5 MB.',
  fileFailed: 'That file could not be sent. Only images (PNG, JPEG, GIF, WebP) and PDF documents are accepted.',
  openFile: (name: string) => `Open ${name}`,
  fileSize: (name: string, kb: number) => `${name} (${kb} KB)`,
  conversations: 'Your conversations',
  newConversation: 'New conversation',
  conversationOpen: 'Open',
  conversationResolved: 'Resolved',
  conversationEmpty: 'No messages yet',
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
  preChatHintOptional: 'Dites-nous qui vous êtes pour que nous puissions vous recontacter. Tous les champs sont facultatifs.',
  preChatHintRequired: 'Dites-nous qui vous êtes pour que nous puissions vous recontacter.',
  fieldRequired: 'Veuillez remplir ce champ.',
  phone: 'Téléphone',
  orderNumber: 'Numéro de commande',
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
  // contact centre
  queuePosition: (n) => (n === 1 ? 'Vous êtes le prochain.' : `Vous êtes en position ${n} dans la file.`),
  queueWait: (min) => (min <= 1 ? 'Attente estimée : environ une minute.' : `Attente estimée : environ ${min} minutes.`),
  waitingForAgent: 'En attente d’un conseiller…',
  delivered: 'Distribué',
  read: 'Lu',
  bot: 'Assistant',
  botTag: 'Réponse automatique',
  talkToPerson: 'Parler à une personne',
  offlineTitle: 'Laissez-nous un message',
  offlineHint: 'Nous ne sommes pas disponibles pour discuter. Laissez un message, nous vous répondrons par e-mail.',
  yourMessage: 'Votre message',
  required: 'obligatoire',
  sendMessage: 'Envoyer le message',
  offlineSent: 'Merci ! Nous avons bien reçu votre message et vous répondrons par e-mail.',
  offlineFailed: 'Impossible d’envoyer votre message. Veuillez réessayer.',
  emailRequired: 'Indiquez votre adresse e-mail pour que nous puissions vous répondre.',
  rateTitle: 'Comment avons-nous été ?',
  rateLegend: 'Notez cette conversation',
  stars: (n) => (n === 1 ? '1 étoile' : `${n} étoiles`),
  comment: 'Commentaire',
  submitRating: 'Envoyer la note',
  ratingThanks: 'Merci pour votre avis !',
  transcriptTitle: 'Recevoir une copie par e-mail',
  emailTranscript: 'M’envoyer la transcription',
  transcriptSent: 'La transcription est en route.',
  transcriptFailed: 'Impossible d’envoyer la transcription. Vérifiez l’adresse et réessayez.',
  attach: 'Joindre une image ou un PDF',
  fileTooBig: 'Un fichier peut faire au plus 5 Mo.',
  fileFailed: 'Ce fichier n’a pas pu être envoyé. Seuls les images (PNG, JPEG, GIF, WebP) et les documents PDF sont acceptés.',
  openFile: (name) => `Ouvrir ${name}`,
  fileSize: (name, kb) => `${name} (${kb} Ko)`,
  conversations: 'Vos conversations',
  newConversation: 'Nouvelle conversation',
  conversationOpen: 'En cours',
  conversationResolved: 'Résolue',
  conversationEmpty: 'Pas encore de message',
};

export const DICTIONARIES = { en, fr } as const;
export type Lang = keyof typeof DICTIONARIES;

/** Picks the first supported language from the browser's preferences (setLanguage applies the tenant's setting). */
export function pickLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && Object.prototype.hasOwnProperty.call(DICTIONARIES, base)) return base as Lang;
  }
  return 'en';
}

const browserLang: Lang =
  typeof navigator === 'undefined' ? 'en' : pickLang(navigator.languages?.length ? navigator.languages : [navigator.language]);

/** The host page's own language, when it says so (data-parley-lang on the snippet): it wins. */
let pageLang: Lang | null = null;

/** Takes the page's language tag (?lang= from the loader); unsupported or empty: ignored. */
export function setPageLanguage(tag: string | null | undefined): Lang | null {
  const base = (tag ?? '').toLowerCase().split('-')[0] ?? '';
  pageLang = Object.prototype.hasOwnProperty.call(DICTIONARIES, base) ? (base as Lang) : null;
  if (pageLang) setLanguage(undefined);
  return pageLang;
}

/** The language in use: the browser's until the tenant's widget setting arrives (setLanguage). */
export let lang: Lang = browserLang;

/** A copy, so setLanguage can swap the strings in place for every importer. */
export const t: Dict = { ...DICTIONARIES[lang] };

/**
 * Applies the tenant's widget language ('auto', unknown or absent: the visitor's browser language).
 * A language the host page declared (setPageLanguage) comes first: the page knows what it shows.
 */
export function setLanguage(setting: string | null | undefined): Lang {
  lang = pageLang
    ? pageLang
    : setting && setting !== 'auto' && Object.prototype.hasOwnProperty.call(DICTIONARIES, setting) ? (setting as Lang) : browserLang;
  Object.assign(t, DICTIONARIES[lang]);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return lang;
}

/** The tenant's greeting in the widget's language when the tenant wrote one, its main greeting otherwise. */
export function greetingIn(config: { greeting: string; greetings?: Partial<Record<string, string>> }, language: Lang = lang): string {
  return config.greetings?.[language] || config.greeting;
}
