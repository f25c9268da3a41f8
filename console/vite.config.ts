import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The console is served under a strict CSP (script-src 'self'; style-src 'self'), so the build must
// not emit inline scripts or styles: no modulepreload polyfill, CSS always in files.
export default defineConfig({
  root: here('.'),
  base: '/console/',
  publicDir: here('./public'),
  // Vite 8 transforms with oxc. It reads jsxImportSource from tsconfig, but say it here too so the
  // build never silently falls back to React's runtime.
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: here('../dist/public/console'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: { port: 5174, strictPort: false },
});
