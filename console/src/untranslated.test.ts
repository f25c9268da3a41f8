/// <reference types="node" />
/**
 * Every user-facing string of the console and the widget comes from a catalogue, in English and in
 * French. This fails on a literal text node or a literal user-facing attribute in any TSX file (read
 * with the TypeScript parser, not a regex), and on a French string left identical to the English
 * one unless it is the same word in both languages (listed below).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { catalogs } from './i18n.js';
import { DICTIONARIES } from '../../widget/frame/src/i18n.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIRS = ['console/src', 'widget/frame/src'];
/** Attributes a person reads or hears. */
const USER_ATTRS = new Set(['placeholder', 'title', 'aria-label', 'alt', 'label', 'aria-description', 'aria-roledescription']);
/** Not words of either language: brand names, symbols, language names written in themselves. */
const ALLOWED = new Set(['Parley', 'English', 'Français', '★', '…', '/', '—', '·', '+', '×']);

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsxFiles(path);
    return path.endsWith('.tsx') && !path.endsWith('.test.tsx') ? [path] : [];
  });
}

function rendersAsText(node: ts.Node): boolean {
  let n = node.parent;
  let child: ts.Node = node;
  while (n) {
    if (ts.isJsxExpression(n)) return !ts.isJsxAttribute(n.parent) || USER_ATTRS.has(n.parent.name.getText());
    const passesThrough =
      ts.isParenthesizedExpression(n) ||
      (ts.isConditionalExpression(n) && child !== n.condition) ||
      (ts.isBinaryExpression(n) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(n.operatorToken.kind) && child === n.right);
    if (!passesThrough) return false;
    child = n;
    n = n.parent;
  }
  return false;
}

/** Example URLs (placeholders) are not words of either language. */
const isUrl = (s: string) => /^https?:\/\/\S+$/.test(s);

function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      const text = node.text.replace(/\s+/g, ' ').trim();
      if (/\p{L}{2,}/u.test(text) && !ALLOWED.has(text)) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.pos).line + 1} text "${text}"`);
    }
    if (ts.isJsxAttribute(node) && USER_ATTRS.has(node.name.getText()) && node.initializer && ts.isStringLiteral(node.initializer)) {
      const text = node.initializer.text;
      if (/\p{L}{2,}/u.test(text) && !ALLOWED.has(text) && !isUrl(text)) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.pos).line + 1} ${node.name.getText()}="${text}"`);
    }
    // A string literal that ends up as text: {cond ? 'Admin' : 'Analytics'}, {x || 'None'}.
    if (ts.isStringLiteral(node) && /\p{L}{2,}/u.test(node.text) && !ALLOWED.has(node.text) && rendersAsText(node)) {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.pos).line + 1} expression "${node.text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The same word in both languages. */
const SAME_IN_FRENCH = new Set(['Parley', 'Message', 'Messages', 'Assistant', 'Agents', 'Email', 'Widget', 'Webhooks', 'Webhook', 'Position', 'Total', 'Type', 'Notes', 'Note', 'Date', 'Description', 'Minutes', 'Transcript', 'Source', 'Sources', 'Actions', 'Action', 'Version', 'Console', 'Incidents', 'Incident', 'Contact', 'Code', 'Destinations', 'Destination', 'Documentation', 'Audit', 'Analytics', 'Support', 'API', 'Service', 'Admin', 'Bot', 'Ok', 'OK', 'Options', 'Rotation', 'Satisfaction', 'Volume', 'Conversations', 'Conversation', 'Restrictions', 'Secret', 'Agent', 'URL', 'Content-Security-Policy', 'Reporting-Endpoints', 'Questions', 'Solutions', 'Sessions', 'Session', 'Rapports', 'Pages', 'Page', 'Notifications', 'HH:MM', 'Macro', 'Macros']);

describe('translations', () => {
  it('has no literal user-facing text in any TSX file of the console or the widget', () => {
    const found = DIRS.flatMap((d) => tsxFiles(join(ROOT, d))).flatMap(literals).map((l) => l.slice(ROOT.length + 1));
    expect(found).toEqual([]);
  });

  it.each([
    ['console', catalogs.en as Record<string, unknown>, catalogs.fr as Record<string, unknown>],
    ['widget', DICTIONARIES.en as Record<string, unknown>, DICTIONARIES.fr as Record<string, unknown>],
  ])('%s: the same keys in both languages, and French strings translated', (_name, en, fr) => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    const untranslated = Object.keys(en).filter((k) => typeof en[k] === 'string' && en[k] === fr[k] && /\p{L}{3,}/u.test(en[k] as string) && !SAME_IN_FRENCH.has(en[k] as string));
    expect(untranslated).toEqual([]);
    // Functions: for the same arguments, the French one has no English word left in it.
    const same = new Set([...SAME_IN_FRENCH].map((w) => w.toLowerCase()));
    const fnSame = Object.keys(en).filter((k) => {
      if (typeof en[k] !== 'function') return false;
      const out = (en[k] as (...a: unknown[]) => string)('x', 'y', 'z');
      if (typeof out !== 'string') return false; // a lookup that needs a real key (e.g. an error code)
      const words = out.match(/\p{L}{3,}/gu) ?? [];
      return out === (fr[k] as (...a: unknown[]) => string)('x', 'y', 'z') && words.some((w) => !same.has(w.toLowerCase()));
    });
    expect(fnSame).toEqual([]);
  });
});
