// Widget frame: the chat UI inside the cross-origin iframe. Served at /widget/frame/ under
// CSP `script-src 'self'; style-src 'self'`, so the built index.html must contain no inline script or
// style: no module-preload polyfill, CSS always in files, no asset inlined into HTML.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: here,
  base: '/widget/frame/',
  publicDir: false,
  // Preact automatic JSX runtime (also set in tsconfig.json; stated here so the build never depends
  // on tsconfig discovery).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: `${root}dist/public/widget/frame`,
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
