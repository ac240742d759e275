/**
 * The demo's build, with vite-plugin-wasm as many apps configure it (for `import … from '*.wasm'`).
 * The library does not import its kernels that way: its `new URL('…wasm', import.meta.url)` and
 * `new URL('…csv', import.meta.url)` are plain asset references that Vite emits beside the bundle,
 * and the library's own loader instantiates them, so the plugin and the library live side by side.
 * The trainers' worker (the library's `Trainer` worker script, ts/worker/worker.ts, named in
 * src/trainer-worker.ts) is bundled as an ES module worker of its own.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import wasm from 'vite-plugin-wasm';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [wasm()],
  worker: { format: 'es', plugins: () => [wasm()] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0, chunkSizeWarningLimit: 1000 },
  server: { fs: { allow: ['..'] } },
});
