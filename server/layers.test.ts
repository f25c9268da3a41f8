/**
 * The server's layers point one way (docs/ARCHITECTURE.md): HTTP and WebSocket code on top, use
 * cases below, storage at the bottom. This reads every import of server/ and fails on one that
 * points up, so a shortcut taken in a hurry shows up in review instead of years later.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = new URL('.', import.meta.url).pathname;

/** For each layer, the layers it must never import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  storage: ['routes', 'realtime', 'commands', 'queries', 'events', 'policies', 'presenters', 'security', 'webhooks'],
  security: ['routes', 'realtime', 'commands'],
  commands: ['routes', 'realtime'],
  queries: ['routes', 'realtime', 'commands'],
  presenters: ['routes', 'realtime', 'commands'],
  policies: ['routes', 'realtime', 'commands'],
};

/** `from '…'` specifiers of a TypeScript source (static imports and re-exports, type-only too). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

/** The layer an import from `file` (relative to server/) lands in, or null outside server/'s layers. */
export function layerOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = relative(SERVER, join(SERVER, file, '..', specifier));
  if (target.startsWith('..')) return null;
  return target.includes('/') ? target.split('/')[0]! : null;
}

export function violations(files: ReadonlyArray<{ file: string; source: string }>): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    const layer = file.split('/')[0]!;
    const forbidden = FORBIDDEN[layer];
    if (!forbidden) continue;
    for (const spec of importsOf(source)) {
      const target = layerOf(file, spec);
      if (target && forbidden.includes(target)) out.push(`${file} (${layer}) imports ${spec} (${target})`);
    }
  }
  return out;
}

function sources(dir: string): Array<{ file: string; source: string }> {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .map((path) => ({ file: relative(SERVER, path), source: readFileSync(path, 'utf8') }));
}

describe('server layers', () => {
  it('no import points up a layer (storage, security, commands, queries, presenters, policies)', () => {
    expect(violations(sources(SERVER))).toEqual([]);
  });

  it('catches an import that points up (control)', () => {
    expect(
      violations([
        { file: 'storage/sqliteWriter.ts', source: "import { x } from '../commands/writeUnits.js';" },
        { file: 'security/releaseGuard.ts', source: "import type { P } from '../routes/assets/publicFiles.js';" },
        { file: 'commands/ok.ts', source: "import { db } from '../storage/db.js';\nimport { y } from './sibling.js';" },
      ]),
    ).toEqual([
      'storage/sqliteWriter.ts (storage) imports ../commands/writeUnits.js (commands)',
      'security/releaseGuard.ts (security) imports ../routes/assets/publicFiles.js (routes)',
    ]);
  });
});
