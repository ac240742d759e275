/**
 * A trainer's worker in Node: a worker_threads `Worker` running ./node-worker.ts, adapted to the
 * `TrainerWorker` a `Trainer` talks to. Exported from `wasm-backprop/node`, so the browser entry
 * has no import of Node: `Trainer.create(options, { worker: nodeWorker })`.
 *
 * The worker is referenced only while a request waits for it: a script that forgets `dispose()`
 * still exits when its work is done.
 */
import { Worker } from 'node:worker_threads';
import { claimWorker } from './claim.js';
import type { TrainerWorker } from './trainer.js';

/** Starts a worker_threads worker for a `Trainer`. */
export function nodeWorker(): TrainerWorker {
  return fromNodeWorker(startWorker());
}

/**
 * A worker_threads `Worker` started elsewhere (with `resourceLimits`, say) as a `TrainerWorker`; it
 * must run this package's worker script, `nodeWorkerScript()` (a `Trainer` on a worker that runs
 * anything else rejects, within 30 s).
 */
export function fromNodeWorker(worker: Worker): TrainerWorker {
  // Adapted twice, a Worker would serve two trainers.
  claimWorker(worker, 'fromNodeWorker: this Worker serves a Trainer already: give each Trainer a worker of its own');
  worker.unref();
  let failed = false;
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as ArrayBuffer[]),
    connect(onMessage, onFail) {
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        onFail(error);
      };
      worker.on('message', onMessage);
      worker.on('messageerror', (e: Error) => fail(new Error(`a message from the trainer's worker could not be read: ${e.message}`, { cause: e })));
      worker.on('error', (e: Error) => fail(new Error(`the trainer's worker failed: ${e.message}`, { cause: e })));
      worker.on('exit', (code: number) => fail(new Error(`the trainer's worker exited (code ${code})`)));
      // A worker that had exited before it was handed over: its exit event is past.
      if (worker.threadId < 0) queueMicrotask(() => fail(new Error("the trainer's worker has exited already: start a new one")));
    },
    busy: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: () => {
      failed = true;
      void worker.terminate();
    },
  };
}

function startWorker(): Worker {
  return new Worker(nodeWorkerScript());
}

/**
 * The script of a trainer's worker_threads worker, for a `Worker` started elsewhere and passed to
 * `fromNodeWorker`: `fromNodeWorker(new Worker(nodeWorkerScript(), { resourceLimits }))`.
 */
export function nodeWorkerScript(): URL {
  // Built: dist/worker/node-worker.js. From the TypeScript sources (tests, tsx), the .ts beside this
  // file, loaded through tsx's hooks registered inside the worker.
  if (!import.meta.url.endsWith('.ts')) return new URL('./node-worker.js', import.meta.url);
  const script = new URL('./node-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(script)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
