import { describe, expect, it } from 'vitest';
import { meaningfulTerms, rankArticles, MIN_CONFIDENCE, MIN_SCORE } from './kbSearch.js';

const art = (id: string, title: string, body: string) => ({ id, tenant_id: 't', title, body, created_at: 0, updated_at: 0 });
const articles = [
  art('a1', 'Returns and refunds', 'You can return any item within 30 days for a full refund. Refunds reach your card in 5 business days.'),
  art('a2', 'Shipping times', 'Orders ship within 24 hours. Delivery takes 2-4 days in Europe.'),
  art('a3', 'Sizing guide', 'Our jackets run large; choose one size down.'),
];
const confident = (q: string) => {
  const r = rankArticles(articles, q);
  return r && r.confidence >= MIN_CONFIDENCE && r.score >= MIN_SCORE ? r.article.id : null;
};

describe('knowledge-base ranking', () => {
  it('drops stop words and accents', () => {
    expect(meaningfulTerms('How do I get a REFUND? Délai')).toEqual(['refund', 'delai']);
  });

  it('answers confidently when the question matches an article', () => {
    expect(confident('How do I get a refund?')).toBe('a1');
    expect(confident('how long does shipping take')).toBe('a2');
    expect(confident('which size for the jackets')).toBe('a3');
    // Question fillers ("how long does it take") do not count against the match.
    expect(rankArticles([art('s', 'Shipping times', 'Orders ship within 24 hours.')], 'How long does shipping take?')?.confidence).toBe(1);
  });

  it('is not confident about unrelated questions', () => {
    expect(confident('Can I pay with bitcoin at the store tomorrow?')).toBeNull();
    expect(confident('hello')).toBeNull();
  });
});
