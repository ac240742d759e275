/**
 * The worker the demo's trainers run in: the library's trainer worker script (`ts/worker/worker.ts`,
 * what `wasm-backprop/trainer` starts as `worker.js` when built), which Vite bundles as a module
 * worker of its own. The demo builds the library from its TypeScript sources, where that script
 * is a `.ts` file, so it names it here; an app on the package passes no `worker` at all.
 */
export const trainerWorker = (): Worker => new Worker(new URL('../../ts/worker/worker.ts', import.meta.url), { type: 'module', name: 'wasm-backprop trainer' });
