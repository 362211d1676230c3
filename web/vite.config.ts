// Builds the viewer, two ways:
// - web/dist (default): static files the cttrace server serves itself. Relative asset paths
//   (base './'), module workers as files, no inline scripts (the server's CSP forbids them).
// - web/dist-standalone (--mode standalone): one index.html with the code and styles inside it,
//   the workers inlined as blob: URLs, and a CSP meta that allows exactly that code by its hash:
//   the page `cttrace export --html` puts a trace into, which opens from file:// with no server.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { inlineIntoPage } from './standalone-page.js';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ mode }) => {
  const standalone = mode === 'standalone';
  return {
    root,
    base: './',
    publicDir: false,
    resolve: standalone ? { alias: [{ find: /^\.\/workers\.js$/, replacement: fileURLToPath(new URL('./src/load/workers-inline.ts', import.meta.url)) }] } : {},
    plugins: standalone ? [inlineIntoPage()] : [],
    build: {
      outDir: standalone ? 'dist-standalone' : 'dist',
      emptyOutDir: true,
      target: 'es2022',
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
      reportCompressedSize: false,
    },
    // Chromium refuses a module worker from a blob: URL in a file:// page (a classic one starts):
    // the inlined workers are classic scripts.
    worker: { format: standalone ? 'iife' : 'es' },
    server: { host: '127.0.0.1', fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  };
});
