/**
 * Vitest setup for the server suite: when PARLEY_CONTRACT_CHECK=1, a test file whose live answers
 * broke the OpenAPI contract (server/testing/contractCheck.ts) fails at its end, listing each
 * distinct mismatch.
 */
import { afterAll } from 'vitest';
import { contractMismatches } from './contractCheck.js';

afterAll(() => {
  if (contractMismatches.length === 0) return;
  const distinct = [...new Map(contractMismatches.map((m) => [`${m.route} ${m.status} ${m.problem.slice(0, 120)}`, m])).values()];
  contractMismatches.length = 0;
  throw new Error(`answers that break the OpenAPI contract (/docs/openapi.json):\n${distinct.map((m) => `- ${m.route} → ${m.problem}`).join('\n')}`);
});
