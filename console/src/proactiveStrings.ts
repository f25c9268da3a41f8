/** Strings of proactive messages (issue 20): Admin › Proactive messages and its report in Analytics (English and French). */
import type { ProactiveAudience } from '../../protocol/proactive.js';

const AUDIENCE_EN: Record<ProactiveAudience, string> = { everyone: 'Everyone', identified: 'Signed-in shoppers (verified identity)', anonymous: 'Shoppers not signed in' };
const AUDIENCE_FR: Record<ProactiveAudience, string> = { everyone: 'Tout le monde', identified: 'Clients connectés (identité vérifiée)', anonymous: 'Clients non connectés' };

export const proactiveEn = {
  admSecProactive: 'Proactive messages',
  admProIntro:
    'A greeting or a question shown to the shopper before they write: in the launcher’s bubble (with data-parley-keep on your snippet) or when they open the chat. Rules look only at what your page declares (Parley.push([\u2018page\u2019, name, attributes, signed])), the time on the page and the identity; Parley never reads the page. Each shopper gets at most 3 a day, and a rule at most once per its cooldown. The first rule, oldest first, that matches shows.',
  admProRules: 'Rules',
  admProNone: 'No proactive message yet.',
  admProNew: 'New proactive message',
  admProEdit: (name: string) => `Edit ${name}`,
  admProDeleteConfirm: (name: string) => `Delete the proactive message ${name}? Its shown, opened and replied counts go with it.`,
  admProName: 'Name',
  admProMessage: 'Message (plain text)',
  admProPage: 'Page name (empty: any page)',
  admProSeconds: 'After seconds on the page',
  admProAttribute: 'Attribute (empty: none)',
  admProValue: 'Value (empty: any)',
  admProVerifiedOnly: 'Count the page name and attribute only when signed by our backend',
  admProAudience: 'Who',
  admProAudienceOf: (a: ProactiveAudience) => AUDIENCE_EN[a],
  admProCooldown: 'Repeat after (hours)',
  admProEnabled: 'Active',
  admProSave: 'Save message',
  admProCancel: 'Cancel',
  admProWhen: 'When',
  admProWhenText: (page: string | null, seconds: number, attribute: string | null, value: string | null, verified: boolean) =>
    [page ? `page “${page}”` : 'any page', seconds ? `after ${seconds} s` : '', attribute ? `${attribute}${value !== null ? ` = “${value}”` : ' present'}` : '', verified ? '(signed)' : ''].filter(Boolean).join(' · '),
  admProStatus: 'Status',
  admProOn: 'On',
  admProOff: 'Off',
  admProLeft: (n: number) => `${n} characters left`,
  admProReport: 'Proactive messages',
  admProReportIntro: 'Messages shown in the period, and how many shoppers then opened the chat and replied.',
  admProColRule: 'Message',
  admProShown: 'Shown',
  admProOpened: 'Opened',
  admProReplied: 'Replied',
};

export type ProactiveStrings = typeof proactiveEn;

export const proactiveFr: ProactiveStrings = {
  admSecProactive: 'Messages proactifs',
  admProIntro:
    'Un message d’accueil ou une question montrés au client avant qu’il n’écrive : dans la bulle du bouton de chat (avec data-parley-keep dans votre extrait) ou à l’ouverture du chat. Les règles ne regardent que ce que votre page déclare (Parley.push([\u2018page\u2019, nom, attributs, signé])), le temps passé sur la page et l’identité ; Parley ne lit jamais la page. Chaque client en reçoit au plus 3 par jour, et une règle au plus une fois par délai. La première règle (la plus ancienne) qui correspond s’affiche.',
  admProRules: 'Règles',
  admProNone: 'Aucun message proactif pour l’instant.',
  admProNew: 'Nouveau message proactif',
  admProEdit: (name: string) => `Modifier ${name}`,
  admProDeleteConfirm: (name: string) => `Supprimer le message proactif ${name} ? Ses chiffres (montré, ouvert, répondu) partent avec lui.`,
  admProName: 'Nom',
  admProMessage: 'Message (texte brut)',
  admProPage: 'Nom de page (vide : toute page)',
  admProSeconds: 'Après secondes sur la page',
  admProAttribute: 'Attribut (vide : aucun)',
  admProValue: 'Valeur (vide : toute)',
  admProVerifiedOnly: 'Ne compter la page et l’attribut que s’ils sont signés par notre serveur',
  admProAudience: 'Pour qui',
  admProAudienceOf: (a: ProactiveAudience) => AUDIENCE_FR[a],
  admProCooldown: 'Répéter après (heures)',
  admProEnabled: 'Actif',
  admProSave: 'Enregistrer le message',
  admProCancel: 'Annuler',
  admProWhen: 'Quand',
  admProWhenText: (page: string | null, seconds: number, attribute: string | null, value: string | null, verified: boolean) =>
    [page ? `page « ${page} »` : 'toute page', seconds ? `après ${seconds} s` : '', attribute ? `${attribute}${value !== null ? ` = « ${value} »` : ' présent'}` : '', verified ? '(signé)' : ''].filter(Boolean).join(' · '),
  admProStatus: 'État',
  admProOn: 'Actif',
  admProOff: 'Inactif',
  admProLeft: (n: number) => `${n} caractères restants`,
  admProReport: 'Messages proactifs',
  admProReportIntro: 'Messages montrés sur la période, et combien de clients ont ensuite ouvert le chat et répondu.',
  admProColRule: 'Message',
  admProShown: 'Montrés',
  admProOpened: 'Ouverts',
  admProReplied: 'Réponses',
};
