/**
 * `Trainer`: a network trained in a worker (a Web Worker in browsers, a worker_threads worker in
 * Node), so that training never blocks the caller's thread. The same options as `Network.create`
 * and `Network.fit` (or a model document to start from, as `loadNetwork` reads it), progress
 * reports with the training accuracy if asked, pause (inside a long epoch too), resume and cancel,
 * predictions and evaluations on the network, answered while it trains, and its parameters or its
 * whole model back on request. The results are those of `Network.fit` on the caller's thread with
 * the same seed (or after `loadNetwork` of the same model), to the bit.
 *
 * The package entry `wasm-backprop/trainer` (apart from the main entry, whose bundle then holds no
 * worker). Data crosses as typed arrays in the transfer list: rows of numbers are packed into one
 * Float64Array (exactly the numbers given), typed matrices are copied once and the copy transferred;
 * the caller's arrays are never detached. The kernels are compiled once on the caller's thread
 * (`loadWasm`, shared with the networks created there) and the compiled module is sent to each
 * worker, which only instantiates it.
 *
 * A worker that cannot start, throws outside a request or exits rejects every pending promise with
 * an error saying so, and every later call; nothing waits forever.
 */
import { PendingCallbacks } from '../callbacks.js';
import { ArgumentError, fail, show, wasmUnavailable } from '../errors.js';
import { loadNetwork, modelFrom, type LoadNetworkOptions, type Model, type ModelExtra } from '../model.js';
import type { Network } from '../network.js';
import { checkOptionNames, checkSignal, OPTION_NAMES, resolveOptions, type NetworkConfig, type NetworkOptions } from '../options.js';
import type { OptimizerState, TrainingState } from '../engine.js';
import { isMatrixInput, toMatrix, type Matrix } from '../matrix.js';
import type { ThreadsInfo } from '../threads/settings.js';
import { TrainingDivergedError, type Backend, type BatchProgress, type Evaluation, type History, type Parameters, type Rows } from '../types.js';
import { loadWasm } from '../wasm/loader.js';
import { claimWorker } from './claim.js';
import {
  buffersOf,
  HELLO,
  type ErrorData,
  type NetworkInfo,
  type Reply,
  type Request,
  type TrainerEpochRecord,
  type TrainerProgress,
  type WorkerFitOptions,
  type FitEnd,
  unpackRecords,
} from './protocol.js';

export type { TrainerEpochRecord, TrainerProgress } from './protocol.js';

/** How long a new worker may take to load its script and say so (a large margin: it needs a few ms to a second). */
const HELLO_MS = 30_000;
export type {} from '../disposable.js';

/**
 * A worker as a `Trainer` talks to it. `nodeWorker` (from `wasm-backprop/node`) makes one over
 * worker_threads; a Web Worker is adapted to it by `Trainer.create`.
 */
export interface TrainerWorker {
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Calls `onMessage` with each message's data, and `onFail` once if the worker cannot start, fails or exits. */
  connect(onMessage: (data: unknown) => void, onFail: (error: Error) => void): void;
  /** Told whether a request is waiting (a Node worker keeps the process alive only then). */
  busy?(busy: boolean): void;
  terminate(): void;
}

export interface TrainerOptions {
  /**
   * The worker to train in: a `Worker` running this package's `worker.js`, a `TrainerWorker`, or a
   * function making either. Default in browsers: a module Web Worker of `./worker.js`. In Node pass
   * `nodeWorker` from `wasm-backprop/node`.
   */
  worker?: Worker | TrainerWorker | (() => Worker | TrainerWorker);
}

/** `Trainer.load`'s options: `loadNetwork`'s (another engine, where the kernels come from) and the worker. */
export interface TrainerLoadOptions extends LoadNetworkOptions, TrainerOptions {}

/**
 * What `Trainer.fit` resolves to: `Network.fit`'s history, each record with the training accuracy
 * where asked for (with `history: false`, no records: `epochs` and `losses` empty).
 */
export interface TrainerHistory extends History {
  readonly epochs: TrainerEpochRecord[];
  /** The epochs this call trained: the length of `epochs` and `losses`, unless `history: false`. */
  readonly trained: number;
}

/**
 * `Network.fit`'s options, with `onProgress` for `onEpoch` (a function cannot cross to the worker),
 * and `trainingAccuracy` (see `WorkerFitOptions`).
 */
export interface TrainerFitOptions extends WorkerFitOptions {
  /** Called as training goes on (every 25–100 ms of training, and after the last epoch). */
  onProgress?: (progress: TrainerProgress) => void;
  /**
   * Progress inside an epoch longer than a time slice (about 10 ms), as `Network.fit`'s `onBatch`
   * reports it (epochs counted over the whole call). It cannot stop training: `cancel()` does.
   */
  onBatch?: (progress: BatchProgress) => void;
  /** Cancels training when aborted (as `cancel()`): `fit` resolves with what was trained, `stopped: true`. */
  signal?: AbortSignal;
  /**
   * Whether `fit` keeps every epoch's record for the history it resolves to (default true). False
   * for long or open-ended training that reads its records from `onProgress` (a page training XOR
   * until told to stop makes hundreds of thousands of records a second): the history's `epochs` and
   * `losses` are then empty (`trained` says how many epochs were), and a `TrainingDivergedError`'s
   * `history` is null.
   */
  history?: boolean;
}

const TRAINER_OPTIONS = ['worker'];
const LOAD_OPTIONS = ['engine', 'wasm', ...TRAINER_OPTIONS];
const FIT_OPTIONS = [...OPTION_NAMES.fit.filter((n) => n !== 'onEpoch'), 'onProgress', 'trainingAccuracy', 'history'];

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: TrainerProgress) => void;
  onBatch?: (progress: BatchProgress) => void;
}

const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/**
 * A network trained in a worker. Create it with `Trainer.create` (or `Trainer.load` from a model);
 * it must be disposed (`dispose()` terminates the worker).
 */
export class Trainer {
  private worker: TrainerWorker | null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the worker can no longer be used, once it cannot. */
  private failure: Error | null = null;
  private info: NetworkInfo = { backend: 'js', engine: 'js', precision: 'f64', layers: [], threads: { requested: 1, used: 1, reason: null } };
  private frozenLayers: readonly number[] = [];

  /** Until the worker says it runs this package's worker script: the timer that gives up on it. */
  private hello: ReturnType<typeof setTimeout> | null;

  private constructor(worker: TrainerWorker) {
    this.worker = worker;
    worker.connect(
      (data) => this.receive(data as Reply),
      (error) => this.fail(error),
    );
    // A worker that runs something else would leave every call waiting.
    this.hello = setTimeout(
      () =>
        this.fail(
          new Error(
            `the trainer's worker did not start in ${HELLO_MS / 1000} s: a Worker passed in must run this package's worker script ` +
              "(in Node, new Worker(nodeWorkerScript()) with nodeWorkerScript from 'wasm-backprop/node'; in browsers, its worker.js)",
          ),
        ),
      HELLO_MS,
    );
    // In Node, the timer alone does not keep the process alive (a call waiting does, through `busy`).
    (this.hello as { unref?: () => void }).unref?.();
    // A worker started before it was handed over said hello before anyone listened: it says it again.
    worker.postMessage({ op: 'hello', id: 0 }, []);
  }

  /**
   * Starts a worker and creates the network there. `options` are `Network.create`'s, checked here
   * first; with the wasm engine the kernels are loaded here (as `options.wasm` says) and shared.
   */
  static async create(options: NetworkOptions, trainerOptions: TrainerOptions = {}): Promise<Trainer> {
    checkOptionNames(trainerOptions, TRAINER_OPTIONS, 'Trainer.create options');
    const cfg = resolveOptions(options, 'Trainer.create');
    const { module, fallback } = cfg.engine === 'wasm' ? await kernels(options.wasm, cfg.fallback) : { module: null, fallback: null };
    const { wasm: _, ...rest } = options;
    // engine 'auto' where the kernels cannot load: the js engine, on one thread, as Network.create has it.
    const asked = fallback === null ? rest : { ...rest, engine: 'js' as const, threads: 1 };
    return Trainer.start(trainerOptions.worker, { op: 'create', options: asked, module }, fallback);
  }

  /**
   * Starts a worker and makes the network there from a model document (a `Model`, its JSON text or
   * its bytes), as `loadNetwork` does: training goes on from the model's parameters and training
   * state to the bits `loadNetwork` then `fit` give on the caller's thread. The model is read and
   * checked here first; `options.engine` and `options.wasm` are `loadNetwork`'s, `options.worker`
   * `Trainer.create`'s.
   */
  static async load(source: Model | string | Uint8Array | ArrayBuffer, options: TrainerLoadOptions = {}): Promise<Trainer> {
    checkOptionNames(options, LOAD_OPTIONS, 'Trainer.load options');
    const model = modelFrom(source);
    const { worker, wasm, ...rest } = options;
    const engine = rest.engine ?? model.options.engine;
    if (wasm !== undefined && engine !== 'wasm' && engine !== 'auto') fail(`Trainer.load options.wasm applies to the wasm engine only, got engine '${engine}'`);
    const { module, fallback } = engine === 'wasm' || engine === 'auto' ? await kernels(wasm, engine === 'auto') : { module: null, fallback: null };
    return Trainer.start(worker, { op: 'load', model, options: fallback === null ? rest : { ...rest, engine: 'js' }, module }, fallback);
  }

  /** A trainer on a new worker, once the worker has made its network as `message` asks (`fallback`: why the js engine stands in, or null). */
  private static async start(
    worker: TrainerOptions['worker'],
    message: DistributiveOmit<Request & { op: 'create' | 'load' }, 'id'>,
    fallback: string | null,
  ): Promise<Trainer> {
    const trainer = new Trainer(startWorker(worker));
    trainer.fallbackReason = fallback;
    try {
      trainer.info = (await trainer.request(message)) as NetworkInfo;
      trainer.frozenLayers = Object.freeze([...trainer.info.layers]);
      return trainer;
    } catch (e) {
      trainer.dispose();
      throw e;
    }
  }

  private fallbackReason: string | null = null;

  /** With `engine: 'auto'`, why the js engine runs in place of the wasm engine (null where it does not), as `Network.fallback`. */
  get fallback(): string | null {
    return this.fallbackReason;
  }

  /** Where the arithmetic runs in the worker: 'simd128' or 'scalar' WebAssembly, or 'js'. */
  get backend(): Backend {
    return this.info.backend;
  }

  /** The layer sizes n_0 … n_L. */
  get layers(): readonly number[] {
    return this.frozenLayers;
  }

  /**
   * The threads asked for, those the last `fit` trained on, and why fewer where so, as
   * `Network.threads` says in the worker (its threads are workers of the trainer's worker).
   */
  get threads(): Readonly<ThreadsInfo> {
    return { ...this.info.threads };
  }

  /** The engine the worker's network runs on. */
  get engine(): NetworkConfig['engine'] {
    return this.info.engine;
  }

  /** The precision of the worker's network. */
  get precision(): NetworkConfig['precision'] {
    return this.info.precision;
  }

  /**
   * Trains for `options.epochs` passes over x, y as `Network.fit` does, in the worker. Resolves to
   * the history; `cancel()` (or an aborted `signal`) resolves it early with `stopped: true`.
   * Rejects with the error `Network.fit` would throw (an `ArgumentError`, a `TrainingDivergedError`).
   * With `trainingAccuracy: true` each record holds the accuracy over x, y after its epoch (this
   * trains epoch by epoch, since the network is read after each, to the same bits). While it runs, `predict`,
   * `evaluate`, the parameters and the model are answered between two spans of training (see
   * `pause`), not after it; a second `fit` waits for the first to end.
   */
  async fit(x: Rows, y: Rows, options: TrainerFitOptions = {}): Promise<TrainerHistory> {
    checkOptionNames(options, FIT_OPTIONS, 'options');
    const { onProgress, onBatch, signal, validation, history: keep = true, ...rest } = options;
    for (const [name, v] of [
      ['trainingAccuracy', rest.trainingAccuracy],
      ['history', keep],
    ] as const) {
      if (v !== undefined && typeof v !== 'boolean') fail(`options.${name} must be true or false, got ${show(v)}`);
    }
    for (const [name, f] of [
      ['onProgress', onProgress],
      ['onBatch', onBatch],
    ] as const) {
      if (f !== undefined && typeof f !== 'function') fail(`options.${name} must be a function, got ${show(f)}`);
    }
    checkSignal(signal);
    const [xs, ys] = this.pair(x, y, 'x', 'y');
    const sent: WorkerFitOptions = { ...rest };
    if (validation !== undefined) {
      if (typeof validation !== 'object' || validation === null || Array.isArray(validation)) {
        fail(`options.validation must be { x, y }, got ${show(validation)}`);
      }
      const [vx, vy] = this.pair(validation.x, validation.y, 'validation.x', 'validation.y');
      sent.validation = { x: vx, y: vy };
    }
    // A stop that this call asks for (its signal, its callbacks' errors) ends this fit, not another
    // one running or waiting meanwhile: it names the request (an id of its own, taken here and given to `request` below).
    const fit = this.nextId++;
    const cancel = () => void this.request({ op: 'cancel', fit }).catch(() => {});
    let callbackError: unknown = null;
    const failed = (e: unknown) => {
      callbackError ??= e;
      cancel();
    };
    // A callback's error ends training and is the call's error, as onEpoch's would be; so does the
    // rejection of a promise it returns (an async callback), which the fit waits for before it settles.
    const callbacks = new PendingCallbacks(failed);
    const guard =
      <P>(f: ((p: P) => unknown) | undefined) =>
      (p: P) => {
        try {
          callbacks.watch(f?.(p));
        } catch (e) {
          failed(e);
        }
      };
    // The epochs' records, as they come in progress reports (the worker sends each once, and no
    // history at the end): kept here unless `history: false`.
    const kept: TrainerEpochRecord[][] = [];
    const progress = guard(onProgress);
    try {
      const message = { op: 'fit' as const, x: xs, y: ys, options: sent, batches: onBatch !== undefined, aborted: signal?.aborted };
      const listeners = {
        onProgress: (p: TrainerProgress) => {
          if (keep) kept.push(p.records.slice());
          progress(p);
        },
        onBatch: guard(onBatch),
      };
      const replied = this.request(message, buffersOf(xs, ys, sent.validation?.x, sent.validation?.y), listeners, fit).catch((e: unknown) => {
        // A divergence's history, from the worker, holds the epochs of its last span only.
        if (!(e instanceof TrainingDivergedError) || !e.history) throw e;
        throw new TrainingDivergedError(e, keep ? historyOf(kept, e.history) : null);
      });
      // Aborted already (said in the request): the worker checks the options and data as
      // Network.fit does, then stops before any epoch.
      signal?.addEventListener('abort', cancel);
      const { trained, stopped, threads } = (await replied) as FitEnd;
      this.info = { ...this.info, threads };
      const h: TrainerHistory = { ...historyOf(kept, { epochs: [], losses: [], stopped }), trained };
      if (keep && h.epochs.length !== trained) {
        throw new Error(`the trainer's worker trained ${trained} epochs but reported ${h.epochs.length}`);
      }
      await callbacks.settled();
      if (callbackError !== null) throw callbackError;
      return h;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /**
   * Outputs a_L for every row of x, as rows of numbers. While `fit` runs, answered at its next safe
   * point (see `pause`) from the network as it stands there; x must have `layers[0]` columns, as
   * `Network.predict` says otherwise.
   */
  async predict(x: Rows): Promise<number[][]> {
    const { data, rows, cols } = await this.predictMatrix(x);
    return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
  }

  /** Outputs a_L for every row of x, as a row-major typed matrix of the network's precision (see `predict`). */
  predictMatrix(x: Rows): Promise<Matrix> {
    return this.ask(() => {
      const xs = this.pack(x, this.layers[0], 'x', 'the input layer size');
      return [{ op: 'predict', x: xs }, buffersOf(xs)];
    }) as Promise<Matrix>;
  }

  /** Mean loss and accuracy over x, y (see `Network.evaluate`); while `fit` runs, as `predict`. */
  evaluate(x: Rows, y: Rows): Promise<Evaluation> {
    return this.ask(() => {
      const [xs, ys] = this.pair(x, y, 'x', 'y');
      return [{ op: 'evaluate', x: xs, y: ys }, buffersOf(xs, ys)];
    }) as Promise<Evaluation>;
  }

  /** A copy of every parameter in the paper's layout (see `Network.getParameters`). */
  getParameters(): Promise<Parameters> {
    return this.request({ op: 'getParameters' }) as Promise<Parameters>;
  }

  /** The parameters as one flat array (see `Network.getFlatParameters`). */
  getFlatParameters(): Promise<Float64Array> {
    return this.request({ op: 'getFlatParameters' }) as Promise<Float64Array>;
  }

  /** All that training continues from besides the parameters (see `Network.getTrainingState`). */
  getTrainingState(): Promise<TrainingState & OptimizerState> {
    return this.request({ op: 'getTrainingState' }) as Promise<TrainingState & OptimizerState>;
  }

  /** The network as a model file (see `toModel`). */
  toModel(extra?: ModelExtra): Promise<Model> {
    return this.request({ op: 'toModel', extra }) as Promise<Model>;
  }

  /** The trained network on the caller's thread: `loadNetwork(await toModel())`; it must be disposed. */
  async toNetwork(options?: LoadNetworkOptions): Promise<Network> {
    return loadNetwork(await this.toModel(), options);
  }

  /**
   * Halts training at its next safe point, and resolves once it holds there (at once when not
   * training): between two spans of epochs (a span takes 25–100 ms, or one epoch where an epoch
   * takes longer), after the epoch under way where `trainingAccuracy` is measured, or inside an
   * epoch longer than a time slice, after the slice under way (about 10 ms). A pause changes no
   * bit: `resume()` goes on where training halted, inside the epoch too. While paused, `predict`,
   * `evaluate`, the parameters and the model are answered at once. A `fit` started while paused
   * waits for `resume()`.
   */
  pause(): Promise<void> {
    return this.request({ op: 'pause' }) as Promise<void>;
  }

  /** Lets training go on after `pause()`. */
  resume(): Promise<void> {
    return this.request({ op: 'resume' }) as Promise<void>;
  }

  /**
   * Ends the running `fit` (paused or not) as `fit`'s signal does: between epochs, or within a time
   * slice (about 10 ms) in an epoch longer than one, whose minibatches trained stay trained. `fit`
   * resolves with the epochs trained and `stopped: true`. Resolves once training has ended. Also
   * lifts a pause.
   */
  cancel(): Promise<void> {
    return this.request({ op: 'cancel' }) as Promise<void>;
  }

  /** Terminates the worker; every pending promise rejects. Idempotent; any later call rejects. */
  dispose(): void {
    if (!this.worker) return;
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('this Trainer has been disposed; create a new one'));
    worker.terminate();
  }

  [disposeSymbol](): void {
    this.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  /** `ask` for a message made already; `id` one taken from `nextId` beforehand (a fit names itself in its cancels), else the next. */
  private request(message: DistributiveOmit<Request, 'id'>, transfer: Transferable[] = [], listeners: Partial<Pending> = {}, id?: number): Promise<unknown> {
    return this.ask(() => [message, transfer], listeners, id);
  }

  /** Sends what `make` returns (an argument error it throws rejects the call) and waits for the reply. */
  private ask(make: () => [DistributiveOmit<Request, 'id'>, Transferable[]], listeners: Partial<Pending> = {}, given?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.failure) throw this.failure;
      const [message, transfer] = make();
      const id = given ?? this.nextId++;
      this.pending.set(id, { ...listeners, resolve, reject });
      this.worker!.busy?.(true);
      try {
        this.worker!.postMessage({ ...message, id }, transfer);
      } catch (e) {
        this.settle(id);
        // A function, a symbol or a class instance in an argument: the call's error, in its terms.
        if (e instanceof Error && e.name === 'DataCloneError')
          fail(
            `${message.op}: an argument holds a value that cannot be sent to the trainer's worker (${e.message}); give numbers, strings, arrays and plain objects`,
          );
        throw e;
      }
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.busy?.(false);
    return p;
  }

  private receive(reply: Reply): void {
    if (this.failure) return;
    const r = reply as Partial<Record<string, unknown>> | null;
    const foreign = () =>
      this.fail(new Error(`the trainer's worker sent ${brief(reply)}, not a reply of this package's worker script: is it running that script?`));
    if (typeof r !== 'object' || r === null) return foreign();
    // Nothing is read from the worker before it says what it runs.
    if (this.hello !== null) {
      if (r.hello !== HELLO) return foreign();
      clearTimeout(this.hello);
      this.hello = null;
      return;
    }
    if (r.hello === HELLO) return; // the answer to the hello asked for, or the first one
    if (typeof r.id !== 'number') return foreign();
    if ('progress' in reply) return this.pending.get(reply.id)?.onProgress?.({ ...reply.progress, records: unpackRecords(reply.progress.records) });
    if ('batch' in reply) return this.pending.get(reply.id)?.onBatch?.(reply.batch);
    if (!('ok' in reply) || (reply.ok === false && typeof reply.error?.message !== 'string')) return foreign();
    const p = this.settle(reply.id);
    if (!p) return;
    if (reply.ok) p.resolve(reply.value);
    else p.reject(errorFrom(reply.error));
  }

  /** The worker is gone: every waiting call and every later one rejects with `error`. */
  private fail(error: Error): void {
    if (this.hello !== null) clearTimeout(this.hello);
    this.hello = null;
    this.failure ??= error;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(error);
    if (this.worker) {
      const worker = this.worker;
      this.worker = null;
      worker.terminate();
    }
  }

  /** x and y checked and packed for the worker (see `pack`). */
  private pair(x: Rows, y: Rows, xWhat: string, yWhat: string): [Matrix, Matrix] {
    return [this.pack(x, this.layers[0], xWhat, 'the input layer size'), this.pack(y, this.layers[this.layers.length - 1], yWhat, 'the output layer size')];
  }

  /**
   * Rows ready to cross, checked as `Network` checks them (toMatrix: the same errors, before
   * anything is sent, so nothing a worker cannot receive is posted): one typed array of the same
   * numbers, a Float32Array kept f32, copied where it is the caller's (the copy is transferred, the
   * caller's array stays as it is).
   */
  private pack(rows: Rows, cols: number, what: string, meaning: string): Matrix {
    const f32 = isMatrixInput(rows) && rows.data instanceof Float32Array;
    const m = toMatrix(rows, what, cols, f32 ? 'f32' : 'f64', meaning);
    return isMatrixInput(rows) && m.data === rows.data ? { ...m, data: m.data.slice() } : m;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A message as an error quotes it: its JSON, cut short. */
function brief(message: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(message) ?? String(message);
  } catch {
    text = String(message);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function startWorker(option: TrainerOptions['worker']): TrainerWorker {
  const made = typeof option === 'function' ? option() : (option ?? defaultWorker());
  if (typeof made === 'object' && made !== null) claimWorker(made, 'options.worker serves another Trainer already: give each Trainer a worker of its own');
  if (isTrainerWorker(made)) return made;
  if (typeof Worker === 'function' && made instanceof Worker) return fromWebWorker(made);
  return fail(`options.worker must be a Worker, a TrainerWorker or a function making one, got ${show(made)}`);
}

function isTrainerWorker(w: unknown): w is TrainerWorker {
  return typeof w === 'object' && w !== null && typeof (w as TrainerWorker).connect === 'function' && typeof (w as TrainerWorker).postMessage === 'function';
}

function defaultWorker(): Worker {
  if (typeof Worker !== 'function') {
    fail("this runtime has no Web Worker: in Node pass { worker: nodeWorker } (import { nodeWorker } from 'wasm-backprop/node')");
  }
  // The literal form bundlers (Vite, webpack 5) recognise and bundle as a worker of its own.
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/** A Web Worker as a `TrainerWorker`: an error event (a script that cannot load, an uncaught error) ends it. */
function fromWebWorker(worker: Worker): TrainerWorker {
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    connect(onMessage, onFail) {
      worker.addEventListener('message', (e) => onMessage(e.data));
      worker.addEventListener('messageerror', () => onFail(new Error("a message from the trainer's worker could not be read")));
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        const message = (e as ErrorEvent).message;
        onFail(
          new Error(
            message
              ? `the trainer's worker failed: ${message}`
              : "the trainer's worker could not start: its script (worker.js, emitted by the bundler beside the library) did not load",
          ),
        );
      });
    },
    terminate: () => worker.terminate(),
  };
}

/** The error the worker's `Network` threw, of the same kind and message. */
/** A history of the records `kept` (in order) and then those of `last`. */
function historyOf(kept: readonly TrainerEpochRecord[][], last: History): History & { epochs: TrainerEpochRecord[] } {
  const epochs = kept.flat().concat(last.epochs);
  return { epochs, losses: epochs.map((r) => r.loss), stopped: last.stopped };
}

function errorFrom(d: ErrorData): Error {
  if (d.name === 'TrainingDivergedError' && d.divergence) return new TrainingDivergedError(d.divergence, d.history ?? null);
  if (d.name === 'ArgumentError') return new ArgumentError(d.message);
  const Kind = d.name === 'TypeError' ? TypeError : d.name === 'RangeError' ? RangeError : Error;
  const e = new Kind(d.message);
  if (e.name !== d.name) e.name = d.name;
  return e;
}

/**
 * The kernels' compiled module for the worker; with engine 'auto' (`auto`), where they cannot load,
 * none and why: the js engine then stands in, as in `Network.create`.
 */
async function kernels(wasm: NetworkOptions['wasm'], auto: boolean): Promise<{ module: WebAssembly.Module | null; fallback: string | null }> {
  try {
    return { module: (await loadWasm(wasm)).module, fallback: null };
  } catch (e) {
    if (!auto) throw e;
    return { module: null, fallback: `${wasmUnavailable(e)}; the js engine runs instead` };
  }
}
