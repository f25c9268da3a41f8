/** Strings of the @mention autocomplete in private notes (issue 20), English and French. */
export const mentionEn = {
  mentionSuggestions: 'Colleagues to mention',
  mentionCount: (n: number) => (n === 1 ? '1 colleague: up and down arrows to choose, Enter to mention' : `${n} colleagues: up and down arrows to choose, Enter to mention`),
  mentionNoMatch: 'No colleague by that name',
};

export const mentionFr: typeof mentionEn = {
  mentionSuggestions: 'Collègues à mentionner',
  mentionCount: (n) => (n === 1 ? '1 collègue : flèches haut et bas pour choisir, Entrée pour mentionner' : `${n} collègues : flèches haut et bas pour choisir, Entrée pour mentionner`),
  mentionNoMatch: 'Aucun collègue de ce nom',
};
