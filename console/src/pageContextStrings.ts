/**
 * Strings of the tenant's page context (issue 19): the visitor panel's "Page context" card and the
 * team editor's routing rules; English and French, spread into console/src/i18n.ts.
 */
export const pageContextEn = {
  pageContext: 'Page context',
  pageContextNone: 'The page did not say where the visitor is.',
  pageContextPage: 'Page',
  pageContextAttributes: 'Attributes given by the page',
  pageContextVerifiedHint: 'Signed by your own backend (identity secret): the visitor cannot change it.',
  pageContextUnverifiedHint: 'As the page gave it: the visitor could change it.',
  admRoutingRules: 'Route here when the page says',
  admRoutingRulesIntro:
    'Your page passes its name and attributes to the chat (Parley.push([\u2018page\u2019, name, attributes, signed])). A waiting conversation goes to the first team, by name, with a matching rule; otherwise to the default team.',
  admRuleNone: 'No rules: conversations come here only as the default team or by transfer.',
  admRulePage: 'Page name',
  admRuleAttribute: 'Attribute',
  admRuleValue: 'Value (empty: any)',
  admRuleVerifiedOnly: 'Only when signed by our backend',
  admRuleAdd: 'Add a rule',
  admRuleRemove: (n: number) => `Delete rule ${n}`,
  admRuleNumber: (n: number) => `Rule ${n}`,
  admRuleEmpty: (n: number) => `Rule ${n}: name a page or an attribute.`,
  admRuleValueNeedsAttribute: (n: number) => `Rule ${n}: a value needs an attribute.`,
  admRulesSummary: (n: number) => (n === 1 ? '1 routing rule' : `${n} routing rules`),
};

export type PageContextStrings = typeof pageContextEn;

export const pageContextFr: PageContextStrings = {
  pageContext: 'Contexte de la page',
  pageContextNone: 'La page n’a pas indiqué où se trouve le visiteur.',
  pageContextPage: 'Page',
  pageContextAttributes: 'Attributs donnés par la page',
  pageContextVerifiedHint: 'Signé par votre propre serveur (secret d’identité) : le visiteur ne peut pas le modifier.',
  pageContextUnverifiedHint: 'Tel que la page l’a donné : le visiteur pourrait le modifier.',
  admRoutingRules: 'Router ici quand la page indique',
  admRoutingRulesIntro:
    'Votre page transmet son nom et ses attributs à la discussion (Parley.push([\u2018page\u2019, nom, attributs, signé])). Une conversation en attente va à la première équipe, par ordre alphabétique, dont une règle correspond ; sinon à l’équipe par défaut.',
  admRuleNone: 'Aucune règle : les conversations n’arrivent ici que comme équipe par défaut ou par transfert.',
  admRulePage: 'Nom de la page',
  admRuleAttribute: 'Attribut',
  admRuleValue: 'Valeur (vide : toutes)',
  admRuleVerifiedOnly: 'Seulement si signé par notre serveur',
  admRuleAdd: 'Ajouter une règle',
  admRuleRemove: (n) => `Supprimer la règle ${n}`,
  admRuleNumber: (n) => `Règle ${n}`,
  admRuleEmpty: (n) => `Règle ${n} : indiquez une page ou un attribut.`,
  admRuleValueNeedsAttribute: (n) => `Règle ${n} : une valeur demande un attribut.`,
  admRulesSummary: (n) => (n <= 1 ? `${n} règle de routage` : `${n} règles de routage`),
};
