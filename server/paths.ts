import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, whether running from source (server/) or compiled (dist/server/). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot();
export const PUBLIC_DIR = join(ROOT, 'dist', 'public');
export const DEMO_TEMPLATES_DIR = join(ROOT, 'server', 'routes', 'demo', 'templates');
