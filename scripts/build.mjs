#!/usr/bin/env node
// Builds everything Parley serves: the server (tsc), the widget frame and the console (Vite),
// the loader (minified by widget/loader/build.mjs), then writes dist/public/manifest.json with the
// SHA-384 of every served file, and signs it (Ed25519) into the hash-chained release log: with the
// private key file in RELEASE_KEY, or else with a development key generated on first build outside
// the repository (~/.config/parley/release-key). The server serves no byte the signed manifest does
// not vouch for. The release log is also a Merkle transparency log (C2SP tlog-checkpoint): the
// build signs its checkpoint and this release's inclusion proof (release-checkpoint,
// release.tlog-proof). See docs/SECURITY.md.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => join(root, 'node_modules', '.bin', name);

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.json']);
// Vite strips types without checking them: the browser code is type-checked here, so a type error
// there fails the build (and CI) as one in the server does.
run(bin('tsc'), ['-p', 'widget/frame/tsconfig.json', '--noEmit']);
run(bin('tsc'), ['-p', 'console/tsconfig.json', '--noEmit']);
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
    else if (!(dir === publicDir && ['manifest.json', 'release.json', 'release-log.json', 'release-checkpoint', 'release.tlog-proof'].includes(name))) {
      const rel = relative(publicDir, path).split(sep).join('/');
      files[rel] = 'sha384-' + createHash('sha384').update(readFileSync(path)).digest('base64');
    }
  }
};
walk(publicDir);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
writeFileSync(join(publicDir, 'manifest.json'), JSON.stringify({ version, builtAt: new Date().toISOString(), files }, null, 2));
const release = await import(pathToFileURL(join(root, 'dist', 'server', 'security', 'release.js')).href);
const signer = release.signingKeyFrom(process.env);
const logPath = release.releaseLogPath(process.env);
// Build provenance, recorded in the signed entry and the transparency log's leaf.
const git = (args) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const commit = git(['rev-parse', 'HEAD']);
const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
const provenance = { builder: 'scripts/build.mjs', node: process.version, commit, dirty: status === null ? null : status !== '' };
const entry = release.signRelease({ publicDir, privateKey: signer.key, logPath, provenance });
if (signer.created) console.log(`created a development release key in ${signer.file} (set RELEASE_KEY to sign with your own)`);
console.log(`built ${Object.keys(files).length} public files; signed release #${entry.seq} with ${signer.dev ? 'the development' : 'the'} key ${entry.keyId}; log: ${logPath}`);
