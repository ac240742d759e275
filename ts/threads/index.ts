/**
 * The entry `wasm-backprop/threads`: importing it lets `Network.create` and `fit` take
 * `threads: n | 'auto'` (docs/ARCHITECTURE.md, "Threads"). `wasm-backprop/node` imports it.
 */
import { provideThreads } from './settings.js';
import { Threads } from './pool.js';

provideThreads((engine) => new Threads(engine));

export { environment } from './environment.js';
export type { ThreadsInfo, ThreadsOption } from './settings.js';
