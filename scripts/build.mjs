#!/usr/bin/env node
// Builds everything Parley serves: the server (tsc), the widget frame and the console (Vite),
// the loader (minified by widget/loader/build.mjs), then writes dist/public/manifest.json with the
// SHA-384 of every served file. The server refuses to serve bytes that are not in the manifest.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => join(root, 'node_modules', '.bin', name);

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.json']);
run(bin('vite'), ['build', '--logLevel', 'warn', '-c', 'widget/frame/vite.config.ts']);
run(bin('vite'), ['build', '--logLevel', 'warn', '-c', 'console/vite.config.ts']);
run(process.execPath, ['widget/loader/build.mjs']);

const publicDir = join(root, 'dist', 'public');
mkdirSync(publicDir, { recursive: true });
const files = {};
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name !== 'manifest.json') {
      const rel = relative(publicDir, path).split(sep).join('/');
      files[rel] = 'sha384-' + createHash('sha384').update(readFileSync(path)).digest('base64');
    }
  }
};
walk(publicDir);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
writeFileSync(join(publicDir, 'manifest.json'), JSON.stringify({ version, builtAt: new Date().toISOString(), files }, null, 2));
console.log(`built ${Object.keys(files).length} public files`);
