/**
 * Knowledge-base search for the bot: minisearch (BM25 with prefix and fuzzy matching) over the
 * tenant's articles, built per question (a tenant has tens to hundreds of articles, so this costs
 * about a millisecond and is never stale on any node). An answer is only given when it is confident:
 * at least half of the question's meaningful words (fillers and stop words aside) match the best article.
 */
import MiniSearch from 'minisearch';
import type { Db } from '../storage/db.js';
import type { KbArticle } from '../storage/schema.js';

const STOP = new Set(
  (
    'a an the and or but to of in on for with at by from is are was were be been am do does did can could should would will i you we they it this that these those ' +
    'my your our me us what how when where why which who hi hello hey please thanks thank there have has had not no yes any some get got ' +
    'long take takes much many need want know tell help like way possible still just also about ' +
    'le la les un une des et ou de du en au aux pour avec est sont je vous nous il elle ce cette ces mon ma mes votre vos quoi comment quand où pourquoi bonjour merci'
  ).split(' '),
);

export const MIN_CONFIDENCE = 0.5;
/** BM25 scores depend on the size of the corpus (one article gives tiny IDFs), so confidence rests on the share of words matched. */
export const MIN_SCORE = 0.01;

export function meaningfulTerms(text: string): string[] {
  return [...new Set(text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/).filter((w) => w.length > 1 && !STOP.has(w)))];
}

export interface KbAnswer {
  article: KbArticle;
  score: number;
  /** Share of the question's meaningful words the article matched (0–1). */
  confidence: number;
}

export function rankArticles(articles: KbArticle[], question: string): KbAnswer | null {
  const terms = meaningfulTerms(question);
  if (terms.length === 0 || articles.length === 0) return null;
  const index = new MiniSearch<KbArticle>({
    fields: ['title', 'body'],
    storeFields: [],
    processTerm: (term) => {
      const t = term.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      return STOP.has(t) ? null : t;
    },
  });
  index.addAll(articles);
  const results = index.search(terms.join(' '), { boost: { title: 2 }, prefix: (t) => t.length > 3, fuzzy: (t) => (t.length > 5 ? 0.2 : false), combineWith: 'OR' });
  const top = results[0];
  if (!top) return null;
  const matched = new Set(top.queryTerms);
  const confidence = terms.filter((t) => matched.has(t)).length / terms.length;
  const article = articles.find((a) => a.id === top.id)!;
  return { article, score: top.score, confidence };
}

/** The best article for a question, or null when the bot is not confident enough to answer. */
export async function answerFromKnowledgeBase(db: Db, tenantId: string, question: string): Promise<KbAnswer | null> {
  const articles = await db.selectFrom('kb_articles').selectAll().where('tenant_id', '=', tenantId).limit(2000).execute();
  const best = rankArticles(articles, question);
  if (!best || best.confidence < MIN_CONFIDENCE || best.score < MIN_SCORE) return null;
  return best;
}
