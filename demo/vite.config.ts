/**
 * The demo's build. The library's `new URL('…wasm', import.meta.url)` and
 * `new URL('…csv', import.meta.url)` are plain asset references, which Vite emits beside the
 * bundle; the kernels are instantiated by the library's own loader, so no wasm plugin is needed.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  server: { fs: { allow: ['..'] } },
});
