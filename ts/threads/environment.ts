/**
 * What this runtime offers threads: shared memory, a way to start workers, whether the calling
 * thread may block, and its cores. In Node, worker_threads (reached through
 * `process.getBuiltinModule`, so no import of Node is here); in browsers, module Web Workers, with
 * shared memory only on a cross-origin-isolated page.
 */
import { waitAsync } from './barrier.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** A started worker, whichever kind. */
export interface ThreadWorker {
  postMessage(message: ToWorker): void;
  /** `onFail` is called once if the worker cannot start, throws outside a message, or exits. */
  connect(onMessage: (m: FromWorker) => void, onFail: (e: Error) => void): void;
  /** Referenced (keeping Node alive) only while busy. */
  busy(busy: boolean): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(m: unknown): void;
  on(event: string, f: (v: never) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerClass = new (url: URL, options?: object) => NodeWorker;

interface NodeBits {
  Worker: NodeWorkerClass;
  cores: number;
}

const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown; versions?: { node?: string } } }).process;

/** worker_threads and the core count in Node, else null. */
function node(): NodeBits | null {
  const get = nodeProcess?.versions?.node ? nodeProcess.getBuiltinModule : undefined;
  if (!get) return null;
  const threads = get('worker_threads') as { Worker: NodeWorkerClass } | undefined;
  const os = get('os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  if (!threads || !os) return null;
  return { Worker: threads.Worker, cores: os.availableParallelism?.() ?? os.cpus().length };
}

export interface Environment {
  cores: number;
  /** Why threads cannot run here (training then takes one thread); null where they can. */
  reason: string | null;
  /** Whether the calling thread may block in `Atomics.wait` (not a browser page's main thread). */
  canBlock: boolean;
}

let known: Environment | null = null;

export function environment(): Environment {
  return (known ??= probe());
}

function probe(): Environment {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number }; document?: unknown; Worker?: unknown };
  const n = node();
  const cores = n?.cores ?? g.navigator?.hardwareConcurrency ?? 1;
  const canBlock = n !== null || g.document === undefined;
  const one = (reason: string): Environment => ({ cores, reason, canBlock });
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return one(
      'shared memory is not available: a page must be cross-origin isolated (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)',
    );
  }
  if (!n && typeof g.Worker !== 'function') return one('this runtime cannot start workers');
  if (!canBlock && typeof waitAsync !== 'function')
    return one("this browser's main thread cannot wait for workers (no Atomics.waitAsync): train in a Trainer's worker");
  return { cores, reason: null, canBlock };
}

/**
 * This module's URL, for Node's worker script beside it. Through a name: bundlers treat
 * `new URL(…, import.meta.url)` as a file to emit and `import.meta.resolve(…)` as a module to
 * bundle, and the Node paths below must be neither (the web path, `webWorker`, is the literal form).
 */
const HERE = import.meta.url;

/** Starts a training thread's worker. */
export function spawn(): ThreadWorker {
  const n = node();
  return n ? nodeThread(n.Worker) : webThread(webWorker());
}

/**
 * A module Web Worker of ./worker.js, in the literal form bundlers (Vite, webpack 5) recognise and
 * bundle as a worker of its own; served unbundled, the file beside this one.
 */
function webWorker(): Worker {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

function nodeThread(Worker: NodeWorkerClass): ThreadWorker {
  let w: NodeWorker;
  if (HERE.endsWith('.ts')) {
    // From the TypeScript sources (tests, tsx): the .ts beside this file, through tsx's hooks.
    const script = new URL('./worker.ts', HERE).href;
    // tsx's ESM API, found as Node resolves it from here (its require path, then the .mjs beside it).
    const api = `process.getBuiltinModule('module').createRequire(${JSON.stringify(HERE)}).resolve('tsx/esm/api').replace(/\\.cjs$/, '.mjs')`;
    const code =
      `const { register } = await import(process.getBuiltinModule('url').pathToFileURL(${api}).href); ` +
      `register(); await import(${JSON.stringify(script)});`;
    w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  } else {
    w = new Worker(new URL('./worker.js', HERE));
  }
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m),
    connect(onMessage, onFail) {
      let failed = false;
      const fail = (e: Error) => {
        if (!failed) onFail(e);
        failed = true;
      };
      w.on('message', onMessage);
      w.on('error', (e: Error) => fail(new Error(`a training thread failed: ${e.message}`, { cause: e })));
      w.on('exit', (code: number) => fail(new Error(`a training thread exited (code ${code})`)));
    },
    busy: (busy) => (busy ? w.ref() : w.unref()),
    terminate: () => void w.terminate(),
  };
}

function webThread(w: Worker): ThreadWorker {
  return {
    postMessage: (m) => w.postMessage(m),
    connect(onMessage, onFail) {
      w.addEventListener('message', (e: MessageEvent<FromWorker>) => onMessage(e.data));
      w.addEventListener('error', (e: ErrorEvent) => onFail(new Error(`a training thread failed: ${e.message || 'its script could not load'}`)));
    },
    busy: () => {},
    terminate: () => w.terminate(),
  };
}
