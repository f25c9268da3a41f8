/**
 * Tenant-configured redaction patterns (tenants.redaction_patterns, a JSON array of regex sources),
 * applied on the server in createMessage on top of the built-in card and security-code rules.
 *
 * A pattern runs on every message of the tenant, so a bad one is refused when it is saved:
 * at most MAX_PATTERNS patterns of MAX_PATTERN_CHARS characters; it must compile (flags `giu`);
 * no backreferences; no quantified group that itself contains a quantifier (`(a+)+`, `(\d*)*`,
 * `(x+){2,}`), nor a quantified group with alternation (`(a|ab)*`) — the shapes of catastrophic
 * backtracking; and a probe against adversarial inputs must finish within a few milliseconds.
 */
import type { Storage } from '../storage/db.js';
import { AppError } from '../errors.js';

export const MAX_PATTERNS = 20;
export const MAX_PATTERN_CHARS = 200;
const PROBE_BUDGET_MS = 50;

/** The reason a pattern is refused, or null when it is acceptable. */
export function patternProblem(source: unknown): string | null {
  if (typeof source !== 'string' || source.length === 0) return 'must be a non-empty string';
  if (source.length > MAX_PATTERN_CHARS) return `is longer than ${MAX_PATTERN_CHARS} characters`;
  let re: RegExp;
  try {
    re = new RegExp(source, 'giu');
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(source)) return 'uses a backreference';
  // Walk the pattern: for each group, whether it contains a quantifier or an alternation, and
  // whether the group itself is then repeated.
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ quantified: false, alternation: false });
    else if (c === '|' && stack.length) stack[stack.length - 1]!.alternation = true;
    else if (c === '*' || c === '+' || (c === '{' && /^\{\d+,?\d*\}/.test(source.slice(i)))) {
      if (stack.length) stack[stack.length - 1]!.quantified = true;
    } else if (c === ')') {
      const group = stack.pop();
      if (!group) continue;
      const next = source.slice(i + 1);
      const repeated = /^(\*|\+|\{\d+,\d*\})/.test(next) && !/^\{(\d+),\1\}/.test(next);
      if (repeated && group.quantified) return 'repeats a group that contains a quantifier (catastrophic backtracking)';
      if (repeated && group.alternation) return 'repeats a group with alternatives (catastrophic backtracking)';
      // The group's quantifier counts for the enclosing group too.
      if (stack.length && (group.quantified || repeated)) stack[stack.length - 1]!.quantified = true;
    }
  }
  const literal = source.replace(/\\./g, '').replace(/[^\p{L}\p{N} ]/gu, '')[0] ?? 'a';
  const started = performance.now();
  for (const ch of new Set([literal, 'a', '1', ' ', '-'])) {
    re.lastIndex = 0;
    re.test(ch.repeat(24) + '!');
    if (performance.now() - started > PROBE_BUDGET_MS) return 'is too slow on adversarial input';
  }
  return null;
}

/** Validates a whole list; throws validation_failed naming the first bad pattern. */
export function validatePatterns(patterns: unknown): string[] {
  if (!Array.isArray(patterns)) throw new AppError('validation_failed', 'patterns must be an array of strings');
  if (patterns.length > MAX_PATTERNS) throw new AppError('validation_failed', `at most ${MAX_PATTERNS} patterns`);
  patterns.forEach((p, i) => {
    const problem = patternProblem(p);
    if (problem) throw new AppError('validation_failed', `pattern ${i + 1} ${problem}`);
  });
  return patterns as string[];
}

export function compilePatterns(json: string): RegExp[] {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const out: RegExp[] = [];
  for (const p of list) {
    try {
      if (typeof p === 'string' && p.length <= MAX_PATTERN_CHARS) out.push(new RegExp(p, 'giu'));
    } catch {
      // Stored patterns were validated; anything else is skipped rather than failing every message.
    }
  }
  return out.slice(0, MAX_PATTERNS);
}

const TTL_MS = 30_000;
const caches = new WeakMap<object, Map<string, { patterns: RegExp[]; at: number }>>();

/** The tenant's compiled patterns when this node has them fresh (no promise: asked on every message); undefined: ask tenantPatterns(). */
export function knownTenantPatterns(storage: Pick<Storage, 'db'>, tenantId: string): RegExp[] | undefined {
  const hit = caches.get(storage)?.get(tenantId);
  return hit && Date.now() - hit.at < TTL_MS ? hit.patterns : undefined;
}

/** The tenant's compiled patterns, cached per storage for TTL_MS (an update reaches every node within it). */
export async function tenantPatterns(storage: Pick<Storage, 'db'>, tenantId: string): Promise<RegExp[]> {
  const known = knownTenantPatterns(storage, tenantId);
  if (known) return known;
  let cache = caches.get(storage);
  if (!cache) caches.set(storage, (cache = new Map()));
  const row = await storage.db.selectFrom('tenants').select(['redaction_patterns']).where('id', '=', tenantId).executeTakeFirst();
  const patterns = row ? compilePatterns(row.redaction_patterns) : [];
  if (cache.size > 10_000) cache.clear();
  cache.set(tenantId, { patterns, at: Date.now() });
  return patterns;
}

/** Saves a tenant's patterns after validation, and drops this node's cached copy. */
export async function setTenantPatterns(storage: Pick<Storage, 'db'>, tenantId: string, patterns: unknown): Promise<string[]> {
  const valid = validatePatterns(patterns);
  await storage.db.updateTable('tenants').set({ redaction_patterns: JSON.stringify(valid) }).where('id', '=', tenantId).execute();
  caches.get(storage)?.delete(tenantId);
  return valid;
}
