/** The script of a trainer's worker_threads worker (see ./node.ts): ./serve.ts over `parentPort`. */
import { parentPort } from 'node:worker_threads';
import { serve } from './serve.js';
// Networks in a trainer may train on threads of their own (options.threads), as in ./worker.ts.
import '../threads/index.js';

const port = parentPort;
if (!port) throw new Error('wasm-backprop: the trainer worker script runs in a worker_threads Worker (started by nodeWorker), not as a main script');
serve({
  post: (message, transfer) => port.postMessage(message, transfer as ArrayBuffer[]),
  listen: (handler) => port.on('message', handler),
});
