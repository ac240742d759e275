/**
 * The script of a trainer's Web Worker (module worker): ./serve.ts over the worker's global scope.
 * `Trainer.create` starts it as `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`,
 * the form Vite and webpack 5 bundle as a worker of its own.
 */
import type { Reply, Request } from './protocol.js';
import { serve } from './serve.js';
// Networks in a trainer may train on threads of their own (options.threads): workers started from
// this one, where the page is cross-origin isolated (a worker may block, so the threads wait well).
import '../threads/index.js';

/** The worker's global scope, as much of it as is used (the DOM library types `self` as a window). */
const scope = globalThis as unknown as {
  postMessage(message: Reply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: Request }) => void): void;
};

serve({
  post: (message, transfer) => scope.postMessage(message, transfer),
  listen: (handler) => scope.addEventListener('message', (event) => handler(event.data)),
});
