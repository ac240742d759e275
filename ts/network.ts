/**
 * The `Network` API: one typed front for the three engines. It validates every argument, converts
 * data to the engine's precision, owns the seeded randomness (initialisation and shuffling, so every
 * engine trains identically given a seed) and the epoch loop's bookkeeping; the engines do the
 * mathematics.
 */
import { Layout, type Architecture, type Engine, type PreparedData, type StepSettings } from './engine.js';
import { EducationalEngine } from './engines/educational.js';
import { JsEngine } from './engines/js.js';
import { WasmEngine } from './engines/wasm.js';
import { ArgumentError, checkInteger, checkOneOf, checkRate, fail, show } from './errors.js';
import { toMatrix, type Matrix } from './matrix.js';
import { Random, initWeights, permutation } from './random.js';
import {
  ACTIVATIONS,
  ENGINES,
  LOSSES,
  type ActivationName,
  type EngineName,
  type Evaluation,
  type FitOptions,
  type Gradients,
  type History,
  type EpochRecord,
  type InitName,
  type InputLayer,
  type LossName,
  type OptimizerOption,
  type OptimizerSettings,
  type Parameters,
  type Precision,
  type Rows,
  type StepOptions,
} from './types.js';
import { LIMITS } from './wasm/exports.js';
import { loadWasm, type LoadOptions } from './wasm/loader.js';

export interface NetworkOptions {
  /** Layer sizes n_0 … n_L (input first, output last), at least two. */
  layers: readonly number[];
  /** Activation of every hidden layer (and of the output unless `output` says otherwise). Default 'sigmoid'. */
  activation?: ActivationName;
  /** Activations f_1 … f_L, one per layer after the input (overrides `activation` and `output`). */
  activations?: readonly ActivationName[];
  /** Activation of the output layer. Default: 'softmax' with cross-entropy, else `activation`. */
  output?: ActivationName;
  /** 'mse' (½Σ(a−y)², the paper's) or 'cross-entropy' (with a softmax output). Default 'mse'. */
  loss?: LossName;
  /**
   * 'identity' (a_0 = x, default) or 'activated': the paper's pseudo-code literally, where the
   * input layer has biases and an activation, a_0 = f(x + b_in).
   */
  inputLayer?: InputLayer;
  /** The input layer's activation with `inputLayer: 'activated'`. Default: `activation`. */
  inputActivation?: ActivationName;
  /** Default 'wasm'. */
  engine?: EngineName;
  /** Default 'f32' for wasm and js, 'f64' for educational (its only precision). */
  precision?: Precision;
  /** Seed of initialisation and shuffling. Default 1. */
  seed?: number;
  /** Weight initialisation. Default 'auto' (He for relu layers, Xavier otherwise). */
  init?: InitName;
  /** Initial value of every bias. Default 0.01, as in the paper. */
  biasInit?: number;
  /** Default 'sgd'. */
  optimizer?: OptimizerOption;
  /** η. Default 1 for SGD (the sigmoid networks of the paper learn slowly below it), 0.1 with momentum, 0.001 with Adam. */
  learningRate?: number;
  /** η_b. Default: η. */
  biasLearningRate?: number;
  /** Where the WebAssembly kernels come from (wasm engine only). */
  wasm?: LoadOptions;
}

const DEFAULT_RATE: Record<OptimizerSettings['type'], number> = { sgd: 1, momentum: 0.1, adam: 0.001 };
const DEFAULT_SEED = 1;

/** Options `create` understands, for the check against misspelt ones. */
const OPTION_NAMES = new Set([
  'layers', 'activation', 'activations', 'output', 'loss', 'inputLayer', 'inputActivation', 'engine', 'precision', 'seed',
  'init', 'biasInit', 'optimizer', 'learningRate', 'biasLearningRate', 'wasm',
]);

/** Resolved configuration of a network. */
interface Config {
  arch: Architecture;
  engine: EngineName;
  precision: Precision;
  seed: number;
  init: InitName;
  biasInit: number;
  step: StepSettings;
}

function resolveOptimizer(o: OptimizerOption | undefined, what: string): OptimizerSettings {
  const spec = typeof o === 'string' ? { type: o } : o ?? { type: 'sgd' as const };
  if (typeof spec !== 'object' || spec === null) fail(`${what} must be 'sgd', 'momentum', 'adam' or an object with a type, got ${show(o)}`);
  const type = checkOneOf(spec.type, `${what}.type`, ['sgd', 'momentum', 'adam'] as const);
  if (type === 'sgd') return { type };
  if (type === 'momentum') {
    const momentum = (spec as { momentum?: number }).momentum ?? 0.9;
    checkRate(momentum, `${what}.momentum`);
    if (momentum >= 1) fail(`${what}.momentum must be below 1, got ${momentum}`);
    return { type, momentum };
  }
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = spec as { beta1?: number; beta2?: number; epsilon?: number };
  for (const [k, v] of Object.entries({ beta1, beta2 })) {
    checkRate(v, `${what}.${k}`);
    if (v >= 1) fail(`${what}.${k} must be below 1, got ${v}`);
  }
  checkRate(epsilon, `${what}.epsilon`, true);
  return { type, beta1, beta2, epsilon };
}

function resolveStep(o: StepOptions, base: StepSettings | null, what: string): StepSettings {
  const optimizer = o.optimizer !== undefined ? resolveOptimizer(o.optimizer, `${what}.optimizer`) : base?.optimizer ?? { type: 'sgd' };
  const sameOptimizer = base !== null && base.optimizer.type === optimizer.type;
  const learningRate =
    o.learningRate !== undefined
      ? checkRate(o.learningRate, `${what}.learningRate`)
      : sameOptimizer
        ? base.learningRate
        : DEFAULT_RATE[optimizer.type];
  const biasLearningRate =
    o.biasLearningRate !== undefined
      ? checkRate(o.biasLearningRate, `${what}.biasLearningRate`)
      : o.learningRate !== undefined || !sameOptimizer
        ? learningRate
        : base.biasLearningRate;
  return { optimizer, learningRate, biasLearningRate };
}

function resolve(options: NetworkOptions): Config {
  if (typeof options !== 'object' || options === null) fail(`Network.create needs an options object, got ${show(options)}`);
  for (const k of Object.keys(options)) if (!OPTION_NAMES.has(k)) fail(`unknown option '${k}' (known: ${[...OPTION_NAMES].join(', ')})`);
  const { layers } = options;
  if (!Array.isArray(layers)) fail(`options.layers must be an array of layer sizes, got ${show(layers)}`);
  if (layers.length < 2) fail(`options.layers needs at least two sizes (input and output), got ${layers.length}`);
  if (layers.length > LIMITS.maxLayers) fail(`options.layers can have at most ${LIMITS.maxLayers} sizes, got ${layers.length}`);
  layers.forEach((n, i) => checkInteger(n, `options.layers[${i}]`, 1, LIMITS.maxLayerSize));
  const L = layers.length - 1;
  let parameters = 0;
  for (let l = 0; l < L; l++) parameters += layers[l + 1] * (layers[l] + 1);
  if (parameters > LIMITS.maxElements) {
    fail(`options.layers ${layers.join('-')} has ${parameters} parameters, more than the limit of ${LIMITS.maxElements} (2^28)`);
  }

  const loss = checkOneOf(options.loss ?? 'mse', 'options.loss', LOSSES);
  const hidden = checkOneOf(options.activation ?? 'sigmoid', 'options.activation', ACTIVATIONS);
  let acts: ActivationName[];
  if (options.activations !== undefined) {
    if (!Array.isArray(options.activations) || options.activations.length !== L) {
      fail(`options.activations must have one activation per layer after the input (${L}), got ${show(options.activations)}`);
    }
    if (options.output !== undefined) fail('give either options.activations or options.output, not both');
    acts = options.activations.map((a, i) => checkOneOf(a, `options.activations[${i}]`, ACTIVATIONS));
  } else {
    const out = checkOneOf(options.output ?? (loss === 'cross-entropy' ? 'softmax' : hidden), 'options.output', ACTIVATIONS);
    acts = [...Array<ActivationName>(L - 1).fill(hidden), out];
  }
  acts.slice(0, -1).forEach((a, i) => {
    if (a === 'softmax') fail(`softmax can only be the output activation, not layer ${i + 1}'s`);
  });
  const out = acts[L - 1];
  if (loss === 'cross-entropy' && out !== 'softmax') fail(`loss 'cross-entropy' needs a softmax output, got output '${out}'`);
  if (out === 'softmax' && loss !== 'cross-entropy') fail(`a softmax output needs loss 'cross-entropy', got loss '${loss}'`);

  const inputLayer = checkOneOf(options.inputLayer ?? 'identity', 'options.inputLayer', ['identity', 'activated'] as const);
  const inputAct = checkOneOf(options.inputActivation ?? (hidden === 'softmax' ? 'sigmoid' : hidden), 'options.inputActivation', ACTIVATIONS);
  if (inputAct === 'softmax') fail('options.inputActivation cannot be softmax');

  const engine = checkOneOf(options.engine ?? 'wasm', 'options.engine', ENGINES);
  const precision = checkOneOf(options.precision ?? (engine === 'educational' ? 'f64' : 'f32'), 'options.precision', ['f32', 'f64'] as const);
  if (engine === 'educational' && precision !== 'f64') fail(`the educational engine computes in f64 only, got precision '${precision}'`);
  if (options.wasm !== undefined && engine !== 'wasm') fail(`options.wasm applies to the wasm engine only, got engine '${engine}'`);
  if (options.wasm !== undefined) {
    if (typeof options.wasm !== 'object' || options.wasm === null) fail(`options.wasm must be an object, got ${show(options.wasm)}`);
    for (const k of Object.keys(options.wasm)) if (!['simd', 'source', 'instance'].includes(k)) fail(`unknown option 'wasm.${k}' (known: simd, source, instance)`);
  }

  const seed = options.seed ?? DEFAULT_SEED;
  checkInteger(seed, 'options.seed', 0, 0xffffffff);
  const init = checkOneOf(options.init ?? 'auto', 'options.init', ['auto', 'xavier', 'he', 'uniform'] as const);
  const biasInit = options.biasInit ?? 0.01;
  if (typeof biasInit !== 'number' || !Number.isFinite(biasInit)) fail(`options.biasInit must be a finite number, got ${show(biasInit)}`);

  const step = resolveStep(options, null, 'options');
  return {
    arch: { sizes: [...layers], activations: [inputAct, ...acts], inputActivated: inputLayer === 'activated', loss },
    engine,
    precision,
    seed,
    init,
    biasInit,
    step,
  };
}

/** Initial parameters, flat, from the seed (identical for every engine). */
function initialParameters(cfg: Config, layout: Layout): Float64Array {
  const rng = new Random(cfg.seed);
  const flat = new Float64Array(layout.length);
  const { sizes, activations } = cfg.arch;
  for (let l = 0; l < layout.depth; l++) {
    const w = flat.subarray(layout.weightOffsets[l], layout.weightOffsets[l] + sizes[l + 1] * sizes[l]);
    initWeights(w, sizes[l + 1], sizes[l], cfg.init, activations[l + 1], rng);
    flat.fill(cfg.biasInit, layout.biasOffsets[l], layout.biasOffsets[l] + sizes[l + 1]);
  }
  flat.fill(cfg.biasInit, layout.inputBiasOffset, layout.length);
  return flat;
}

const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

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
  /** The configuration this network was created with. */
  readonly layers: readonly number[];
  /** f_1 … f_L. */
  readonly activations: readonly ActivationName[];
  readonly loss: LossName;
  readonly inputLayer: InputLayer;
  readonly engine: EngineName;
  readonly precision: Precision;

  private constructor(engine: Engine, cfg: Config) {
    this.engineImpl = engine;
    this.step = cfg.step;
    this.shuffleRng = new Random((cfg.seed ^ 0x5eed5eed) >>> 0);
    this.layers = Object.freeze([...cfg.arch.sizes]);
    this.activations = Object.freeze(cfg.arch.activations.slice(1));
    this.loss = cfg.arch.loss;
    this.inputLayer = cfg.arch.inputActivated ? 'activated' : 'identity';
    this.engine = cfg.engine;
    this.precision = cfg.precision;
    engine.writeParameters(initialParameters(cfg, engine.layout));
  }

  /** Creates a network (loading the WebAssembly kernels on first use of the wasm engine). */
  static async create(options: NetworkOptions): Promise<Network> {
    const cfg = resolve(options);
    if (cfg.engine !== 'wasm') return new Network(makeEngine(cfg), cfg);
    const inst = await loadWasm(options.wasm);
    const engine = new WasmEngine(inst, cfg.arch, cfg.precision);
    try {
      return new Network(engine, cfg);
    } catch (e) {
      engine.dispose();
      throw e;
    }
  }

  /** Creates a network of the js or educational engine, which need nothing loaded. */
  static createSync(options: NetworkOptions): Network {
    const cfg = resolve({ ...options, engine: options.engine ?? 'js' });
    if (cfg.engine === 'wasm') fail("Network.createSync cannot load WebAssembly: use 'await Network.create(...)' for the wasm engine");
    return new Network(makeEngine(cfg), cfg);
  }

  /** Where the arithmetic runs: 'simd128' or 'scalar' WebAssembly, or 'js'. */
  get backend(): 'simd128' | 'scalar' | 'js' {
    return this.live().backend;
  }

  /** The optimiser and learning rates `trainBatch` and `fit` use when not told otherwise. */
  get settings(): Readonly<StepSettings> {
    return { ...this.step, optimizer: { ...this.step.optimizer } };
  }

  /** The engine behind this network (for inspection: the educational engine exposes its neurons). */
  get engineInstance(): Engine {
    return this.live();
  }

  private live(): Engine {
    if (!this.engineImpl) throw new Error('this Network has been disposed; create a new one');
    return this.engineImpl;
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

  private configure(step: StepSettings): void {
    const c = this.configured;
    if (c === step || (c && c.learningRate === step.learningRate && c.biasLearningRate === step.biasLearningRate && sameOptimizer(c.optimizer, step.optimizer))) return;
    this.live().configure(step);
    this.configured = step;
  }

  /**
   * One update from the mean gradient over the rows of x, y (Eq. 5; one row is the paper's
   * per-sample step). Returns their mean loss before the update.
   */
  trainBatch(x: Rows, y: Rows, options: StepOptions = {}): number {
    const engine = this.live();
    const [xm, ym] = this.xy(x, y);
    this.checkBatch(xm.rows, 'a minibatch');
    // Without options, the network's own settings (the same object each time: nothing to compare).
    this.configure(hasStepOptions(options) ? resolveStep(options, this.step, 'options') : this.step);
    const loss = engine.trainBatch(xm, ym);
    if (!Number.isFinite(loss)) throw diverged(loss, this.configured!);
    return loss;
  }

  /** Trains for `epochs` passes over x, y in minibatches. Resolves to the loss of every epoch. */
  async fit(x: Rows, y: Rows, options: FitOptions = {}): Promise<History> {
    const engine = this.live();
    const [xm, ym] = this.xy(x, y);
    const epochs = checkInteger(options.epochs ?? 50, 'options.epochs', 0, 1e9);
    // A minibatch larger than the data is the whole data.
    const batch = Math.min(checkInteger(options.batchSize ?? 16, 'options.batchSize', 1, LIMITS.maxBatch), xm.rows);
    this.checkBatch(batch, 'a minibatch');
    const shuffle = options.shuffle ?? true;
    if (typeof shuffle !== 'boolean') fail(`options.shuffle must be true or false, got ${show(shuffle)}`);
    if (options.onEpoch !== undefined && typeof options.onEpoch !== 'function') fail(`options.onEpoch must be a function, got ${show(options.onEpoch)}`);
    const val = options.validation ? this.xy(options.validation.x, options.validation.y, 'validation.x', 'validation.y') : null;
    const step = resolveStep(options, this.step, 'options');
    // Per-epoch records are built only where something reads them as they come (validation,
    // onEpoch); otherwise only the losses are kept, and `history.epochs` is made on first access.
    const losses: number[] = [];
    const records: EpochRecord[] | null = val !== null || options.onEpoch !== undefined ? [] : null;
    let stopped = false;
    if (epochs > 0) this.configure(step);

    const rows = xm.rows;
    // Without per-epoch work, many epochs go in one call (up to ~16M row visits at a time).
    const perEpoch = records !== null || options.signal !== undefined;
    const chunk = perEpoch ? 1 : Math.max(1, Math.min(epochs, Math.floor((1 << 24) / rows)));
    const perm = new Uint32Array(chunk * rows);
    const data = epochs > 0 ? engine.prepare(xm, ym) : null;
    let valData: PreparedData | null = null;
    try {
      if (val && epochs > 0) valData = engine.prepare(val[0], val[1]);
      for (let done = 0; done < epochs; ) {
        if (options.signal?.aborted) {
          stopped = true;
          break;
        }
        const n = Math.min(chunk, epochs - done);
        for (let e = 0; e < n; e++) permutation(rows, shuffle ? this.shuffleRng : null, perm, e * rows);
        const epochLosses = engine.fitEpochs(data!, n === chunk ? perm : perm.subarray(0, n * rows), n, batch);
        let stop = false;
        for (let e = 0; e < n; e++) {
          const loss = epochLosses[e];
          if (!Number.isFinite(loss)) throw diverged(loss, step, done + e + 1);
          losses.push(loss);
          if (records) {
            const rec: EpochRecord = { epoch: done + e + 1, loss };
            if (valData) {
              const ev = engine.evaluatePrepared(valData);
              rec.validationLoss = ev.loss;
              rec.validationAccuracy = ev.correct / valData.rows;
            }
            records.push(rec);
            if (options.onEpoch?.(rec) === false) stop = true;
          }
        }
        done += n;
        if (stop) {
          stopped = done < epochs;
          break;
        }
        if (perEpoch) await new Promise<void>((r) => setTimeout(r, 0));
      }
    } finally {
      data?.dispose();
      valData?.dispose();
    }
    let epochRecords = records;
    return {
      losses,
      stopped,
      get epochs() {
        return (epochRecords ??= losses.map((loss, i) => ({ epoch: i + 1, loss })));
      },
    };
  }

  /** Outputs a_L for every row of x, as rows of numbers. */
  predict(x: Rows): number[][] {
    const { data, rows, cols } = this.predictMatrix(x);
    return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
  }

  /** Outputs a_L for every row of x, as a row-major typed matrix of the network's precision. */
  predictMatrix(x: Rows): Matrix {
    const engine = this.live();
    const xm = this.x(x);
    return { data: engine.predict(xm), rows: xm.rows, cols: this.layers[this.layers.length - 1] };
  }

  /** Mean loss and accuracy over x, y. */
  evaluate(x: Rows, y: Rows): Evaluation {
    const [xm, ym] = this.xy(x, y);
    const { loss, correct } = this.live().evaluate(xm, ym);
    return { loss, accuracy: correct / xm.rows };
  }

  /** The mean gradients over the rows of x, y, without an update (for checks and teaching). */
  gradients(x: Rows, y: Rows): Gradients {
    const engine = this.live();
    const [xm, ym] = this.xy(x, y);
    this.checkBatch(xm.rows, 'gradients()');
    const { loss, grads } = engine.gradients(xm, ym);
    return { loss, ...this.unflatten(grads) };
  }

  /** A copy of every parameter in the paper's layout (see `Parameters`). */
  getParameters(): Parameters {
    return this.unflatten(this.live().readParameters());
  }

  /** Sets every parameter; the shapes must be those `getParameters` returns. */
  setParameters(p: Parameters): void {
    const engine = this.live();
    engine.writeParameters(this.flatten(p));
  }

  /** The parameters as one flat array: [W_0 | b_0 | … | b_in] (see engine.ts). */
  getFlatParameters(): Float64Array {
    return this.live().readParameters();
  }

  /** Sets the parameters from the flat layout of `getFlatParameters`. */
  setFlatParameters(flat: Float64Array | readonly number[]): void {
    const engine = this.live();
    if (flat.length !== engine.layout.length) fail(`flat parameters must have ${engine.layout.length} numbers, got ${flat.length}`);
    const f = Float64Array.from(flat);
    f.forEach((v, i) => {
      if (!Number.isFinite(v)) fail(`flat parameters[${i}] must be a finite number, got ${v}`);
    });
    engine.writeParameters(f);
  }

  /** Clears the optimiser's state (momentum, Adam's moments). */
  resetOptimizer(): void {
    this.live().resetOptimizer();
  }

  private unflatten(flat: Float64Array): Parameters {
    const lay = this.live().layout;
    const s = this.layers;
    const weights: number[][][] = [];
    const biases: number[][] = [];
    for (let l = 0; l < lay.depth; l++) {
      const w: number[][] = [];
      for (let k = 0; k < s[l + 1]; k++) {
        const off = lay.weightOffsets[l] + k * s[l];
        w.push(Array.from(flat.subarray(off, off + s[l])));
      }
      weights.push(w);
      biases.push(Array.from(flat.subarray(lay.biasOffsets[l], lay.biasOffsets[l] + s[l + 1])));
    }
    const p: Parameters = { weights, biases };
    if (this.inputLayer === 'activated') p.inputBiases = Array.from(flat.subarray(lay.inputBiasOffset, lay.length));
    return p;
  }

  private flatten(p: Parameters): Float64Array {
    const lay = this.live().layout;
    const s = this.layers;
    if (typeof p !== 'object' || p === null) fail(`parameters must be { weights, biases }, got ${show(p)}`);
    const { weights, biases, inputBiases } = p;
    if (!Array.isArray(weights) || weights.length !== lay.depth) fail(`parameters.weights must have ${lay.depth} matrices, got ${show(weights)}`);
    if (!Array.isArray(biases) || biases.length !== lay.depth) fail(`parameters.biases must have ${lay.depth} vectors, got ${show(biases)}`);
    const flat = new Float64Array(lay.length);
    const put = (v: unknown, off: number, what: string) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what} must be a finite number, got ${show(v)}`);
      flat[off] = v;
    };
    for (let l = 0; l < lay.depth; l++) {
      const w = weights[l];
      if (!Array.isArray(w) || w.length !== s[l + 1]) fail(`parameters.weights[${l}] must have ${s[l + 1]} rows (one per neuron of layer ${l + 1}), got ${show(w)}`);
      w.forEach((row, k) => {
        if (!Array.isArray(row) || row.length !== s[l]) fail(`parameters.weights[${l}][${k}] must have ${s[l]} columns (one per neuron of layer ${l}), got ${show(row)}`);
        row.forEach((v, j) => put(v, lay.weightOffsets[l] + k * s[l] + j, `parameters.weights[${l}][${k}][${j}]`));
      });
      const b = biases[l];
      if (!Array.isArray(b) || b.length !== s[l + 1]) fail(`parameters.biases[${l}] must have ${s[l + 1]} entries, got ${show(b)}`);
      b.forEach((v, k) => put(v, lay.biasOffsets[l] + k, `parameters.biases[${l}][${k}]`));
    }
    if (this.inputLayer === 'activated') {
      if (!Array.isArray(inputBiases) || inputBiases.length !== s[0]) fail(`parameters.inputBiases must have ${s[0]} entries (inputLayer 'activated'), got ${show(inputBiases)}`);
      inputBiases.forEach((v, j) => put(v, lay.inputBiasOffset + j, `parameters.inputBiases[${j}]`));
    } else if (inputBiases !== undefined) {
      fail("parameters.inputBiases only exists with inputLayer 'activated'");
    }
    return flat;
  }

  /** Frees the engine's memory. Idempotent; any later call throws. */
  dispose(): void {
    this.engineImpl?.dispose();
    this.engineImpl = null;
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

function makeEngine(cfg: Config): Engine {
  if (cfg.engine === 'js') return new JsEngine(cfg.arch, cfg.precision);
  if (cfg.engine === 'educational') return new EducationalEngine(cfg.arch);
  throw new ArgumentError(`engine '${cfg.engine}' needs Network.create`);
}

function sameOptimizer(a: OptimizerSettings, b: OptimizerSettings): boolean {
  if (a.type === 'momentum' && b.type === 'momentum') return a.momentum === b.momentum;
  if (a.type === 'adam' && b.type === 'adam') return a.beta1 === b.beta1 && a.beta2 === b.beta2 && a.epsilon === b.epsilon;
  return a.type === b.type && a.type === 'sgd';
}

function hasStepOptions(o: StepOptions): boolean {
  if (typeof o !== 'object' || o === null) fail(`options must be an object, got ${show(o)}`);
  return o.learningRate !== undefined || o.biasLearningRate !== undefined || o.optimizer !== undefined;
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

function diverged(loss: number, step: StepSettings, epoch?: number): Error {
  return new Error(
    `training diverged${epoch ? ` in epoch ${epoch}` : ''} (loss ${loss}): lower the learning rate (now ${step.learningRate}, biases ${step.biasLearningRate})`,
  );
}
