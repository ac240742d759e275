/**
 * The `Network` API: one typed front for the three engines. It validates every argument, converts
 * data to the engine's precision, owns the seeded randomness (initialisation and shuffling, so every
 * engine trains identically given a seed) and the epoch loop's bookkeeping; the engines do the
 * mathematics. Option resolution (./options.ts) and the parameter layout (./parameters.ts) are pure
 * functions beside it.
 */
import { Rollback } from './divergence.js';
import { LIMITS, type Engine, type PreparedData, type StepSettings, type TrainingState } from './engine.js';
import { WasmEngine } from './engines/wasm.js';
import { checkInteger, fail, oneLine, show, wasmUnavailable } from './errors.js';
import { Log } from './log.js';
import { isMatrixInput, toMatrix, type Matrix } from './matrix.js';
import {
  OPTION_NAMES,
  checkOptionNames,
  checkSignal,
  checkTrainingState,
  hasStepOptions,
  resolveOptions,
  resolveStep,
  sameStep,
  shuffleSeed,
  type NetworkConfig,
  type NetworkOptions,
} from './options.js';
import { checkFlat, flattenParameters, initialParameters, unflattenParameters } from './parameters.js';
import { epochRecord, trainEpochs, type Cost, type FitRun } from './fitting.js';
import { PreparedDataset } from './prepared.js';
import { Random } from './random.js';
import { checkThreads, threadsFor, type NetworkThreads, type ThreadsInfo } from './threads/settings.js';
import type {
  ActivationName,
  Backend,
  EngineName,
  EpochRecord,
  Evaluation,
  FitOptions,
  Gradients,
  History,
  InitName,
  InputLayer,
  LossName,
  Parameters,
  Precision,
  Rows,
  StepOptions,
} from './types.js';
import { F32_MAX } from './types.js';
import { loadWasm, type WasmInstance } from './wasm/loader.js';

export type { NetworkOptions } from './options.js';

const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/** The fields of a `TrainingState`. */
const TRAINING_STATE_KEYS: readonly (keyof TrainingState)[] = ['optimizer', 'learningRate', 'biasLearningRate', 'step', 'm', 'v', 'shuffle'];

/**
 * A fully-connected network trained with backpropagation.
 *
 * A wasm network holds WebAssembly memory: it must be disposed (`dispose()`, or `using`).
 */
export class Network {
  private engineImpl: Engine | null;
  private step: StepSettings;
  private configured: StepSettings | null = null;
  private readonly shuffleRng: Random;
  /** The last finite state, for going back to when training diverges (./divergence.ts). */
  private readonly rollback: Rollback;
  /** The threads `fit` trains on (./threads/), made on first use; what the last `fit` used. */
  private threadsImpl: NetworkThreads | null = null;
  private threadsInfo: ThreadsInfo;
  /** Whether a `fit` is in progress. */
  private training = false;
  /** What a row visit cost the last engine call of `fit` (./fitting.ts), for the next fit's first. */
  private readonly cost: Cost = { visits: 0, spent: 0, key: '' };
  /** The datasets prepared by this network, disposed with it. */
  private readonly prepared = new Set<WeakRef<PreparedDataset>>();
  /** The configuration this network was created with. */
  readonly layers: readonly number[];
  /** f_1 … f_L. */
  readonly activations: readonly ActivationName[];
  readonly loss: LossName;
  readonly inputLayer: InputLayer;
  /** f_0, the input layer's activation where it is 'activated'; null for an identity input layer. */
  readonly inputActivation: ActivationName | null;
  readonly engine: EngineName;
  readonly precision: Precision;
  /** The seed, weight initialisation and initial bias it was created with (a model file records them). */
  readonly seed: number;
  readonly init: InitName;
  readonly biasInit: number;

  private constructor(engine: Engine, cfg: NetworkConfig) {
    // Private in the types only: from JavaScript, `new Network(options)` reaches it.
    if (cfg === undefined) fail('a network is made by await Network.create(options) (or createNetworkSync from wasm-backprop/sync), not new Network(…)');
    this.engineImpl = engine;
    this.step = cfg.step;
    this.shuffleRng = new Random(shuffleSeed(cfg.seed));
    this.layers = Object.freeze([...cfg.arch.sizes]);
    this.activations = Object.freeze(cfg.arch.activations.slice(1));
    this.loss = cfg.arch.loss;
    this.inputLayer = cfg.arch.inputActivated ? 'activated' : 'identity';
    this.inputActivation = cfg.arch.inputActivated ? cfg.arch.activations[0] : null;
    this.engine = cfg.engine;
    this.precision = cfg.precision;
    this.seed = cfg.seed;
    this.init = cfg.init;
    this.biasInit = cfg.biasInit;
    this.threadsInfo = { requested: cfg.threads, used: 1, reason: null };
    engine.writeParameters(initialParameters(engine.layout, cfg));
    this.rollback = new Rollback(engine, this.shuffleRng, { configure: (s) => this.configure(s), configured: () => this.configured ?? this.step });
    // The optimizer's moments now: memory they cannot have fails the creation, not a later fit.
    try {
      this.configure(this.step);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * Creates a network (loading the WebAssembly kernels on first use of the wasm engine, and the
   * js and educational engines, which a wasm app does not ship, on first use of either).
   */
  static async create(options: NetworkOptions): Promise<Network> {
    const cfg = resolveOptions(options);
    if (cfg.engine !== 'wasm') return new Network(await localEngine(cfg), cfg);
    let inst: WasmInstance;
    try {
      inst = await loadWasm(options.wasm);
    } catch (e) {
      if (!cfg.fallback) throw e;
      // engine 'auto': the js engine stands in, and says why.
      const js = { ...cfg, engine: 'js' as const, threads: 1 as const };
      const why = wasmUnavailable(e);
      const net = new Network(await localEngine(js, `${why}, and `), js);
      net.fallbackReason = `${why}; the js engine runs instead`;
      return net;
    }
    const engine = new WasmEngine(inst, cfg.arch, cfg.precision);
    try {
      const net = new Network(engine, cfg);
      if (cfg.threads !== 1) {
        net.threadsImpl = threadsFor(engine);
        net.threadsInfo.reason = net.threadsImpl.unavailable();
      }
      return net;
    } catch (e) {
      engine.dispose();
      throw e;
    }
  }

  /**
   * @deprecated Moved to the entry `wasm-backprop/sync` (so that an app of the wasm engine does not
   * ship the js and educational engines): `import { createNetworkSync } from 'wasm-backprop/sync'`.
   * Throws, saying so.
   */
  static createSync(_options: NetworkOptions): Network {
    return fail("Network.createSync moved to the entry 'wasm-backprop/sync': import { createNetworkSync } from 'wasm-backprop/sync'");
  }

  /**
   * @internal Not API: a network on an engine the caller made from `cfg` (`createNetworkSync`,
   * ts/sync.ts). Apps call `Network.create` or `createNetworkSync`.
   */
  static fromEngine(engine: Engine, cfg: NetworkConfig): Network {
    return new Network(engine, cfg);
  }

  private fallbackReason: string | null = null;

  /** With `engine: 'auto'`, why the js engine runs in place of the wasm engine (null where it does not). */
  get fallback(): string | null {
    return this.fallbackReason;
  }

  /** Where the arithmetic runs: 'simd128' or 'scalar' WebAssembly, or 'js'. */
  get backend(): Backend {
    return this.live().backend;
  }

  /**
   * The threads asked for, those the last `fit` trained on, and why fewer where so (no shared
   * memory on a page that is not cross-origin isolated; too little work for `'auto'`).
   */
  get threads(): Readonly<ThreadsInfo> {
    return { ...this.threadsInfo };
  }

  /** The optimizer and learning rates `trainBatch` and `fit` use when not told otherwise. */
  get settings(): Readonly<StepSettings> {
    return { ...this.step, optimizer: { ...this.step.optimizer } };
  }

  /** The engine behind this network (for inspection: the educational engine exposes its neurons). */
  get engineInstance(): Engine {
    const engine = this.live();
    this.rollback.forget(); // what is done through it is not training: a divergence goes back no further
    return engine;
  }

  /** Throws where this network has been disposed. */
  private alive(): void {
    if (!this.engineImpl) throw new Error('this Network has been disposed; create a new one');
  }

  /** The engine, at the epoch `fit` reports where a callback reads the network while `fit` has trained past it. */
  private live(): Engine {
    this.alive();
    this.rollback.settle();
    return this.engineImpl!;
  }

  private x(input: Rows, what = 'x'): Matrix {
    return toMatrix(input, what, this.layers[0], this.precision, 'the input layer size');
  }

  /** A minibatch of `rows` rows must fit the limits of one engine call (every engine alike). */
  private checkBatch(rows: number, what: string): void {
    if (rows > LIMITS.maxBatch) fail(`${what} can have at most ${LIMITS.maxBatch} rows, got ${rows}`);
    const widest = Math.max(...this.layers);
    if (rows * widest > LIMITS.maxElements) {
      fail(`${what} of ${rows} rows × the widest layer (${widest} neurons) exceeds ${LIMITS.maxElements} (2^28) values: use fewer rows`);
    }
  }

  private xy(x: Rows, y: Rows, xWhat = 'x', yWhat = 'y'): [Matrix, Matrix] {
    const xm = this.x(x, xWhat);
    const ym = toMatrix(y, yWhat, this.layers[this.layers.length - 1], this.precision, 'the output layer size');
    if (xm.rows !== ym.rows) fail(`${xWhat} and ${yWhat} must have the same number of rows, got ${xm.rows} and ${ym.rows}`);
    if (this.loss === 'cross-entropy') checkDistributions(ym, yWhat);
    return [xm, ym];
  }

  /**
   * `xy`, as `prepare` and `fit` hold the data: the js and educational engines keep the matrices
   * themselves, so a typed array already of the network's precision is copied (the wasm engine
   * copies into its memory anyway): the caller's array changed later (from onEpoch, or after
   * prepare) changes nothing. `release` hands the arrays over instead.
   */
  private kept(x: Rows, y: Rows, xWhat?: string, yWhat?: string, release = false): [Matrix, Matrix] {
    const [xm, ym] = this.xy(x, y, xWhat, yWhat);
    if (this.engine === 'wasm' || release) return [xm, ym];
    const own = (m: Matrix, input: Rows): Matrix => (isMatrixInput(input) && m.data === input.data ? { ...m, data: m.data.slice() } : m);
    return [own(xm, x), own(ym, y)];
  }

  /** Hands `step` to the engine unless it is what the engine has. */
  private configure(step: StepSettings): void {
    if (this.configured && sameStep(this.configured, step)) return;
    this.live().configure(step);
    this.configured = step;
  }

  /**
   * One update from the mean gradient over the rows of x, y (Eq. 5; one row is the paper's
   * per-sample step). Returns their mean loss before the update. A loss or parameter that is not
   * finite throws a `TrainingDivergedError`, the network back before that update (./divergence.ts).
   */
  trainBatch(x: Rows, y: Rows, options: StepOptions = {}): number {
    this.live();
    checkOptionNames(options, OPTION_NAMES.step);
    const [xm, ym] = this.xy(x, y);
    this.checkBatch(xm.rows, 'a minibatch');
    // Without options, the network's own settings (the same object each time: nothing to compare).
    this.configure(hasStepOptions(options) ? resolveStep(options, this.step, 'options') : this.step);
    return this.rollback.trainBatch(xm, ym);
  }

  /**
   * Checks x, y, converts them to the network's precision and hands them to the engine (the wasm
   * engine copies them into its memory), once: the dataset returned can be passed to every `fit`
   * (as the data or as `validation`) and `evaluate` of this network without being checked or
   * copied again. With `release: true`, arrays that end a resizable ArrayBuffer (as the data sets
   * the CSV readers return, and the parts `splitInPlace` cuts from their end) are emptied as they
   * are copied, so a large data set is never held twice; do not use them afterwards. It must be
   * disposed (or the network, which disposes it too).
   */
  prepare(x: Rows, y: Rows, options: { release?: boolean } = {}): PreparedDataset {
    const engine = this.live();
    checkOptionNames(options, ['release']);
    const release = options.release ?? false;
    if (typeof release !== 'boolean') fail(`options.release must be true or false, got ${show(release)}`);
    const [xm, ym] = this.kept(x, y, 'x', 'y', release);
    const held = engine.prepare(xm, ym, release);
    const set = new PreparedDataset(this, held, xm.rows, xm.cols, ym.cols);
    for (const ref of this.prepared) if (ref.deref()?.disposed !== false) this.prepared.delete(ref);
    this.prepared.add(new WeakRef(set));
    return set;
  }

  /** The engine's data of a dataset this network prepared, or x, y prepared for one call (`own`: to dispose after it). */
  private held(x: Rows | PreparedDataset, y: Rows | undefined, what: [string, string]): { data: PreparedData; own: boolean } {
    if (x instanceof PreparedDataset) return { data: x.data(this, what[0]), own: false };
    const [xm, ym] = this.kept(x, y as Rows, ...what);
    return { data: this.live().prepare(xm, ym), own: true };
  }

  /**
   * Trains for `epochs` passes over x, y (or a dataset from `prepare`) in minibatches. Resolves to
   * the loss of every epoch. Training yields to the event loop about every 10 ms, so a page stays
   * responsive and `signal` takes effect within that. A loss or parameter that is not finite
   * rejects with a `TrainingDivergedError` naming the epoch, minibatch, layer and neuron; the
   * network is back at the end of the last finite epoch.
   */
  fit(data: PreparedDataset, options?: FitOptions): Promise<History>;
  fit(x: Rows, y: Rows, options?: FitOptions): Promise<History>;
  async fit(x: Rows | PreparedDataset, y?: Rows | FitOptions, maybe?: FitOptions): Promise<History> {
    const engine = this.live();
    const options = (x instanceof PreparedDataset ? (y as FitOptions | undefined) : maybe) ?? {};
    checkOptionNames(options, OPTION_NAMES.fit);
    const epochs = checkInteger(options.epochs ?? 50, 'options.epochs', 0, 1e9);
    const batchSize = checkInteger(options.batchSize ?? 16, 'options.batchSize', 1, LIMITS.maxBatch);
    const shuffle = options.shuffle ?? true;
    if (typeof shuffle !== 'boolean') fail(`options.shuffle must be true or false, got ${show(shuffle)}`);
    for (const name of ['onEpoch', 'onBatch'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') fail(`options.${name} must be a function, got ${show(options[name])}`);
    }
    const v = options.validation;
    // A dataset with more than x and y (a split's, with its names and classes) is welcome.
    if (v !== undefined && !(v instanceof PreparedDataset) && (typeof v !== 'object' || v === null || Array.isArray(v))) {
      fail(`options.validation must be { x, y } or a prepared dataset, got ${show(v)}`);
    }
    checkSignal(options.signal);
    const limit = options.maxLoss ?? Infinity;
    if (typeof limit !== 'number' || !(limit > 0)) fail(`options.maxLoss must be a positive number, got ${show(options.maxLoss)}`);
    // An f32 network whose mean loss passes the largest f32 has outputs, and steps, about to
    // overflow: its parameters can still be finite while every prediction is NaN.
    const maxLoss = this.precision === 'f32' ? Math.min(limit, F32_MAX) : limit;
    const step = resolveStep(options, this.step, 'options');
    const losses = new Log(epochs);
    // With validation, its loss and accuracy per epoch; `history.epochs` is made from these and
    // the losses on first access.
    const scores = v === undefined ? null : new Log(2 * epochs);
    if (epochs === 0) {
      if (!(x instanceof PreparedDataset)) this.xy(x, y as Rows);
      return history(losses.finish(), scores?.finish() ?? null, false);
    }
    // One fit at a time: two would take turns slice by slice, and their bits match no order of them.
    if (this.training) throw new Error('this network is already training: await the fit in progress before starting another');
    const train = this.held(x, y as Rows, ['x', 'y']);
    let val: { data: PreparedData; own: boolean } | null = null;
    this.training = true;
    try {
      // A minibatch larger than the data is the whole data.
      const batch = Math.min(batchSize, train.data.rows);
      this.checkBatch(batch, 'a minibatch');
      if (v !== undefined)
        val = v instanceof PreparedDataset ? this.held(v, undefined, ['options.validation', '']) : this.held(v.x, v.y, ['validation.x', 'validation.y']);
      this.configure(step);
      const onThreads = this.planThreads(engine, options.threads, batch, train.data, step);
      const stopped = await trainEpochs(
        {
          engine,
          rollback: this.rollback,
          rng: this.shuffleRng,
          data: train.data,
          validation: val?.data ?? null,
          epochs,
          batch,
          shuffle,
          step,
          classifies: this.classifies,
          scores,
          onEpoch: options.onEpoch,
          onBatch: options.onBatch,
          signal: options.signal,
          maxLoss,
          history: (kept, keptScores) => history(kept, keptScores, false),
          alive: () => this.alive(),
          threads: onThreads,
          cost: this.cost,
        },
        losses,
      );
      return history(losses.finish(), scores?.finish() ?? null, stopped);
    } finally {
      this.training = false;
      if (train.own) train.data.dispose();
      if (val?.own) val.data.dispose();
    }
  }

  /** How `fit` trains minibatches of `batch` rows: on threads (ts/threads/) or, null, on this thread. */
  private planThreads(engine: Engine, option: unknown, batch: number, data: PreparedData, step: StepSettings): FitRun['threads'] {
    const requested = option === undefined ? this.threadsInfo.requested : checkThreads(option, 'options.threads');
    // Refused before it is kept: a refused value must not stay the network's for later fits.
    if (requested !== 1 && !(engine instanceof WasmEngine)) fail(`options.threads applies to the wasm engine only, got engine '${this.engine}'`);
    this.threadsInfo = { requested, used: 1, reason: null };
    if (requested === 1) return null;
    const t = (this.threadsImpl ??= threadsFor(engine as WasmEngine));
    const { threads, reason } = t.plan(requested, batch);
    this.threadsInfo = { requested, used: threads, reason };
    return threads > 1 ? (order, total) => t.fitSpan(data, order, batch, total, threads, step) : null;
  }

  /** Outputs a_L for every row of x, as rows of numbers. */
  predict(x: Rows): number[][] {
    const { data, rows, cols } = this.predictMatrix(x);
    return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
  }

  /** Outputs a_L for every row of x, as a row-major typed matrix of the network's precision. */
  predictMatrix(x: Rows | PreparedDataset): Matrix {
    const engine = this.live();
    if (x instanceof PreparedDataset) {
      const data = x.data(this, 'the dataset');
      return { data: engine.predictPrepared(data), rows: data.rows, cols: this.layers[this.layers.length - 1] };
    }
    const xm = this.x(x);
    return { data: engine.predict(xm), rows: xm.rows, cols: this.layers[this.layers.length - 1] };
  }

  /**
   * Whether the outputs are class probabilities, so that an accuracy means something: a sigmoid
   * output (one output: the class is its side of ½; several: the largest) or a softmax one (with
   * cross-entropy). A linear, tanh, relu or leaky-relu output is a regression's, whatever the loss.
   */
  private get classifies(): boolean {
    const out = this.activations[this.activations.length - 1];
    return out === 'sigmoid' || out === 'softmax';
  }

  /**
   * Mean loss over x, y, and the accuracy: the fraction of rows whose largest output is the
   * target's largest (one output: on the same side of ½). Accuracy is NaN when the network is not
   * a classifier (its output activation is neither sigmoid nor softmax: a regression has no
   * accuracy), and `fit` then leaves `validationAccuracy` out of its records.
   */
  evaluate(data: PreparedDataset): Evaluation;
  evaluate(x: Rows, y: Rows): Evaluation;
  evaluate(x: Rows | PreparedDataset, y?: Rows): Evaluation {
    const engine = this.live();
    if (x instanceof PreparedDataset) {
      const data = x.data(this, 'the dataset');
      const { loss, correct } = engine.evaluatePrepared(data);
      return { loss, accuracy: this.classifies ? correct / data.rows : NaN };
    }
    const [xm, ym] = this.xy(x, y as Rows);
    const { loss, correct } = engine.evaluate(xm, ym);
    return { loss, accuracy: this.classifies ? correct / xm.rows : NaN };
  }

  /** The mean gradients over the rows of x, y, without an update (for checks and teaching). */
  gradients(x: Rows, y: Rows): Gradients {
    const engine = this.live();
    const [xm, ym] = this.xy(x, y);
    this.checkBatch(xm.rows, 'gradients()');
    const { loss, grads } = engine.gradients(xm, ym);
    return { loss, ...unflattenParameters(grads, engine.layout) };
  }

  /** A copy of every parameter in the paper's layout (see `Parameters`). */
  getParameters(): Parameters {
    const engine = this.live();
    return unflattenParameters(engine.readParameters(), engine.layout);
  }

  /** Sets every parameter; the shapes must be those `getParameters` returns. */
  setParameters(p: Parameters): void {
    const engine = this.live();
    const extra = typeof p === 'object' && p !== null ? Object.keys(p).find((k) => k !== 'weights' && k !== 'biases' && k !== 'inputBiases') : undefined;
    if (extra !== undefined) fail(`parameters.${extra} is not a part of the parameters (weights, biases, inputBiases)`);
    engine.writeParameters(this.inPrecision(flattenParameters(p, engine.layout), 'setParameters', (_, name) => `parameters.${name}`));
    this.rollback.forget();
  }

  /** `flat`, where each value fits the network's precision (an f32 network would hold ±Infinity for one beyond 3.4e38). */
  private inPrecision(flat: Float64Array, what: string, at: (i: number, name: string) => string): Float64Array {
    if (this.precision !== 'f32') return flat;
    const i = Float32Array.from(flat).findIndex((v) => !Number.isFinite(v));
    if (i < 0) return flat;
    return fail(`${what}: ${at(i, this.live().layout.name(i))} = ${show(flat[i])} is too large for f32 precision (|value| > 3.4e38)`);
  }

  /** The parameters as one flat array: [W_0 | b_0 | … | b_in] (see parameters.ts). */
  getFlatParameters(): Float64Array {
    return this.live().readParameters();
  }

  /** Sets the parameters from the flat layout of `getFlatParameters`. */
  setFlatParameters(flat: Float64Array | readonly number[]): void {
    const engine = this.live();
    const values = checkFlat(flat, engine.layout.length, 'flat parameters');
    engine.writeParameters(this.inPrecision(values, 'setFlatParameters', (i, name) => `flat parameter ${i} (${name})`));
    this.rollback.forget();
  }

  /** Clears the optimizer's state (momentum, Adam's moments). */
  resetOptimizer(): void {
    this.live().resetOptimizer();
    this.rollback.forget();
  }

  /**
   * All that training continues from besides the parameters: the optimizer and learning rates in
   * force, the optimizer's moments and step count, and the shuffling generator's state. A network
   * of the same architecture given these parameters and this state trains on exactly as this one
   * would (bit for bit, on an engine of the same precision).
   */
  getTrainingState(): TrainingState {
    const engine = this.live();
    // The engine's state belongs to the optimizer it was last configured with (before any
    // training: the network's own, whose state is still zero).
    if (!this.configured) this.configure(this.step);
    const step = this.configured!;
    return { ...step, optimizer: { ...step.optimizer }, ...engine.readOptimizerState(), shuffle: this.shuffleRng.state };
  }

  /**
   * Continues from a state `getTrainingState` returned (on this network or another of the same
   * architecture). Its optimizer and learning rates become this network's settings. Every field is
   * checked first; an error names the first bad one and changes nothing.
   */
  setTrainingState(state: TrainingState): void {
    const engine = this.live();
    // A model file's training (it adds epochs) gets checkTrainingState's pointer to loadNetwork.
    if (typeof state === 'object' && state !== null && !('epochs' in state)) checkOptionNames(state, TRAINING_STATE_KEYS, 'training state');
    const s = checkTrainingState(state, engine.layout.length);
    // A moment beyond f32 would be held as ±Infinity: Adam's step then NaN, or 0 for ever.
    for (const k of ['m', 'v'] as const) if (s[k]) this.inPrecision(s[k], 'setTrainingState', (i, name) => `training state.${k}[${i}] (of ${name})`);
    const step: StepSettings = { optimizer: s.optimizer, learningRate: s.learningRate, biasLearningRate: s.biasLearningRate };
    engine.configure(step);
    engine.writeOptimizerState(s);
    this.configured = this.step = step;
    this.shuffleRng.state = s.shuffle;
    this.rollback.forget();
  }

  /** Frees the engine's memory. Idempotent; any later call throws. */
  dispose(): void {
    if (this.engineImpl) this.rollback.settle(); // from onEpoch: fit stops at the epoch it gave
    for (const ref of this.prepared) ref.deref()?.dispose();
    this.prepared.clear();
    this.threadsImpl?.dispose();
    this.engineImpl?.dispose();
    this.engineImpl = null;
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/** The js or educational engine `cfg` asks for, from a module loaded on first use (a wasm app does not ship it). */
async function localEngine(cfg: NetworkConfig, before = ''): Promise<Engine> {
  let local: typeof import('./engines/local.js');
  try {
    local = await import('./engines/local.js');
  } catch (e) {
    const what = `${before}the ${cfg.engine} engine could not load: its script (engines/local.js, a chunk of its own in a bundle) did not load`;
    throw new Error(`${what} (${oneLine(e)})`, { cause: e });
  }
  return local.makeEngine(cfg);
}

/** Cross-entropy targets must be distributions: non-negative, summing to 1. */
function checkDistributions(y: Matrix, what: string): void {
  const n = y.cols;
  for (let r = 0; r < y.rows; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const v = y.data[r * n + k];
      if (v < 0) fail(`${what} row ${r}, column ${k} is negative (${v}); cross-entropy targets are probabilities`);
      s += v;
    }
    if (Math.abs(s - 1) > 1e-3) fail(`${what} row ${r} sums to ${s}; cross-entropy targets must sum to 1 (one-hot or probabilities)`);
  }
}

/**
 * The losses of the epochs trained, and their records, made on first access from typed arrays (a
 * fit of many short epochs keeps them so): the losses, and with validation its loss and accuracy
 * per epoch (`scores`, 2 each; the accuracy NaN where the network does not classify).
 */
function history(values: Float64Array, scores: Float64Array | null, stopped: boolean): History {
  let losses: number[] | null = null;
  let records: EpochRecord[] | null = null;
  return {
    get losses() {
      if (losses === null) {
        losses = new Array<number>(values.length);
        for (let i = 0; i < values.length; i++) losses[i] = values[i];
      }
      return losses;
    },
    stopped,
    get epochs() {
      return (records ??= Array.from(values, (loss, i) => epochRecord(i + 1, loss, scores?.[2 * i], scores?.[2 * i + 1])));
    },
  };
}
