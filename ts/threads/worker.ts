/**
 * The script of a training thread (./pool.ts starts it): a worker_threads worker in Node, a module
 * Web Worker in browsers. It holds a replica of the network and trains its part of each minibatch
 * (./replica.ts), waiting for the other threads at the barrier (`Atomics.wait`, which a worker may
 * do). Messages are handled one after the other; a failure is reported through the shared control
 * block (waking the threads that wait) and as a message.
 */
import { WasmEngine } from '../engines/wasm.js';
import { Layout } from '../parameters.js';
import { loadWasm } from '../wasm/loader.js';
import { Barrier } from './barrier.js';
import { Handoff } from './handoff.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Replica, exchangeLayout } from './replica.js';

interface Port {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

/** worker_threads' parent port in Node (reached without an import of Node), else the worker's global scope. */
function port(): Port {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const threads = nodeProcess?.getBuiltinModule?.('worker_threads') as
    { parentPort: { postMessage(m: unknown): void; on(e: 'message', f: (m: ToWorker) => void): void } | null } | undefined;
  const parent = threads?.parentPort;
  if (parent) return { post: (m) => parent.postMessage(m), listen: (f) => parent.on('message', f) };
  const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', f: (e: { data: ToWorker }) => void): void };
  return { post: (m) => scope.postMessage(m), listen: (f) => scope.addEventListener('message', (e) => f(e.data)) };
}

const io = port();
let replica: Replica | null = null;
let barrier: Barrier | null = null;
let handoff: Handoff | null = null;
/** How long to listen for the next span at the end of one (ms). */
let listen = 0;
let part = 0;
let parts = 1;
let queue: Promise<void> = Promise.resolve();

async function handle(m: ToWorker): Promise<void> {
  switch (m.op) {
    case 'init': {
      const inst = await loadWasm({ source: m.module });
      replica = new Replica(new WasmEngine(inst, m.arch, m.precision), new Layout(m.arch));
      barrier = new Barrier(m.control, m.parts, m.spin);
      handoff = new Handoff(m.handoff, m.rows, m.parts - 1);
      listen = m.listen;
      [part, parts] = [m.part, m.parts];
      io.post({ op: 'ready' });
      return;
    }
    case 'exchange':
      replica!.attach(m.buffer, exchangeLayout(new Layout(replica!.engine.arch), m.capacity, replica!.engine.precision === 'f32' ? 32 : 64), m.capacity);
      return;
    case 'data':
      replica!.receive(m.data);
      return;
    case 'rows':
      handoff!.adopt(m.buffer);
      return;
    case 'state': {
      const engine = replica!.engine;
      engine.configure(m.step);
      engine.writeParameters(m.params);
      engine.writeOptimizerState(m.optimizer);
      replica!.whole = true;
      return;
    }
    case 'span': {
      handoff!.receivedMessage();
      // This span, then each handed over while listening at the end of the last (where it listens).
      const next = () => (listen > 0 ? handoff!.listen(part - 1, listen, () => barrier!.failed) : null);
      for (let span: { order: Uint32Array; batch: number } | null = m; span; span = next()) {
        const steps = replica!.span(span.order, span.batch, 0, part, parts);
        while (!steps.next().done) barrier!.pass();
      }
      return;
    }
  }
}

io.listen((m) => {
  queue = queue
    .then(() => handle(m))
    .catch((e: unknown) => {
      const message = `training thread ${part} failed: ${e instanceof Error ? e.message : String(e)}`;
      barrier?.fail(message);
      io.post({ op: 'failed', message });
    });
});
