/**
 * Network options resolved to a complete, checked configuration: every default filled in, every
 * value checked, one clear error for the first problem. Pure functions, so the model file, a worker
 * and the CLI resolve options without creating a network.
 */
import { LIMITS, type OptimizerState, type StepSettings, type TrainingState } from './engine.js';
import { checkInteger, checkOneOf, checkRate, fail, printable, show } from './errors.js';
import { checkFlat, type Architecture, type InitSettings } from './parameters.js';
import {
  ACTIVATIONS,
  ENGINES,
  INITS,
  LOSSES,
  OPTIMIZERS,
  PRECISIONS,
  type ActivationName,
  type EngineName,
  type InitName,
  type InputLayer,
  type LossName,
  type OptimizerName,
  type OptimizerOption,
  type OptimizerSettings,
  type Precision,
  type FitOptions,
  type StepOptions,
} from './types.js';
import { checkSimd, type LoadOptions } from './wasm/loader.js';
import { checkThreads, type ThreadsOption } from './threads/settings.js';

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
  /**
   * Default 'wasm'. 'auto': the wasm engine where its WebAssembly loads, else the js engine (the
   * network's `engine` and `backend` then say 'js', and `fallback` why).
   */
  engine?: EngineName | 'auto';
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
  /**
   * Threads `fit` trains one minibatch on (wasm engine only; needs the entry
   * `wasm-backprop/threads`): 1 (default), a number, or `'auto'` (as many as pay, up to the
   * cores). The parameters are those of one thread, to the bit. README, "Threads".
   */
  threads?: ThreadsOption;
}

/** A network's options resolved: every default filled in and every value checked. */
export interface NetworkConfig extends InitSettings {
  arch: Architecture;
  engine: EngineName;
  /** Whether the js engine may stand in where the wasm engine's WebAssembly cannot load (`engine: 'auto'`). */
  fallback: boolean;
  precision: Precision;
  /** The optimizer and learning rates `trainBatch` and `fit` use when not told otherwise. */
  step: StepSettings;
  /** Threads `fit` trains on when not told otherwise. */
  threads: ThreadsOption;
}

/** η by optimizer when none is given. */
export const DEFAULT_LEARNING_RATE: Readonly<Record<OptimizerName, number>> = { sgd: 1, momentum: 0.1, adam: 0.001 };
const DEFAULT_SEED = 1;

/**
 * The option names each call understands, one table per call: a `Record` over the option type's
 * keys, so a key added to the type without a row here (or a row without a key) does not compile.
 */
const CREATE_OPTIONS: Record<keyof NetworkOptions, true> = {
  layers: true,
  activation: true,
  activations: true,
  output: true,
  loss: true,
  inputLayer: true,
  inputActivation: true,
  engine: true,
  precision: true,
  seed: true,
  init: true,
  biasInit: true,
  optimizer: true,
  learningRate: true,
  biasLearningRate: true,
  wasm: true,
  threads: true,
};
const STEP_OPTIONS: Record<keyof StepOptions, true> = { learningRate: true, biasLearningRate: true, optimizer: true };
const FIT_OPTIONS: Record<keyof FitOptions, true> = {
  ...STEP_OPTIONS,
  epochs: true,
  batchSize: true,
  shuffle: true,
  validation: true,
  onEpoch: true,
  onBatch: true,
  threads: true,
  maxLoss: true,
  signal: true,
};
const WASM_OPTIONS: Record<keyof LoadOptions, true> = { simd: true, source: true, instance: true };
const OPTIMIZER_SETTINGS: Record<OptimizerName, readonly string[]> = {
  sgd: ['type'],
  momentum: ['type', 'momentum'],
  adam: ['type', 'beta1', 'beta2', 'epsilon'],
};

/** The option names `Network.create`, `trainBatch` and `fit` understand (in the order errors list them). */
export const OPTION_NAMES = {
  create: Object.keys(CREATE_OPTIONS) as (keyof NetworkOptions)[],
  step: Object.keys(STEP_OPTIONS) as (keyof StepOptions)[],
  fit: Object.keys(FIT_OPTIONS) as (keyof FitOptions)[],
} as const;

/**
 * `options` must be an object whose every key is one of `known`; a misspelt name (`epoch` for
 * `epochs`) is an error, never silently a default: "unknown option 'epoch' (known: …)". `prefix`
 * names the object the keys sit in (`'wasm.'`, `'optimizer.'`). Every call that takes options
 * checks them with this one function, so they all refuse the same way.
 */
export function checkOptionNames(options: unknown, known: readonly string[], what = 'options', prefix = ''): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail(`${what} must be an object, got ${show(options)}`);
  for (const k of Object.keys(options)) if (!known.includes(k)) fail(`unknown option '${printable(prefix + k)}' (known: ${known.join(', ')})`);
}

/** Refuses a `signal` that is not an AbortSignal: an AbortController passed for its signal (or anything else) would never stop training. */
export function checkSignal(signal: unknown): void {
  if (signal === undefined || (typeof signal === 'object' && signal !== null && typeof (signal as AbortSignal).aborted === 'boolean')) return;
  const controller = typeof signal === 'object' && signal !== null && 'signal' in signal && 'abort' in signal;
  fail(`options.signal must be an AbortSignal${controller ? ' (the controller.signal of an AbortController, not the controller)' : ''}, got ${show(signal)}`);
}

/** An optimizer by name or with its settings, every setting filled in and checked. */
export function resolveOptimizer(o: OptimizerOption | undefined, what: string): OptimizerSettings {
  const spec = typeof o === 'string' ? { type: o } : (o ?? { type: 'sgd' as const });
  if (typeof spec !== 'object' || spec === null) fail(`${what} must be ${OPTIMIZERS.map((n) => `'${n}'`).join(', ')} or an object with a type, got ${show(o)}`);
  const type = checkOneOf(spec.type, `${what}.type`, OPTIMIZERS);
  // A misspelt setting ({ type: 'momentum', mometum: 0.5 }) would otherwise train with the default.
  checkOptionNames(spec, OPTIMIZER_SETTINGS[type], what, `${what.replace(/^options\./, '')}.`);
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

/**
 * The step settings `o` asks for, on top of `base` (the network's): a rate not given keeps the
 * base's while the optimizer stays the same, and is the new optimizer's default otherwise.
 */
export function resolveStep(o: StepOptions, base: StepSettings | null, what: string): StepSettings {
  const optimizer = o.optimizer !== undefined ? resolveOptimizer(o.optimizer, `${what}.optimizer`) : (base?.optimizer ?? { type: 'sgd' });
  const sameOptimizer = base !== null && base.optimizer.type === optimizer.type;
  const learningRate =
    o.learningRate !== undefined
      ? checkRate(o.learningRate, `${what}.learningRate`)
      : sameOptimizer
        ? base.learningRate
        : DEFAULT_LEARNING_RATE[optimizer.type];
  const biasLearningRate =
    o.biasLearningRate !== undefined
      ? checkRate(o.biasLearningRate, `${what}.biasLearningRate`)
      : o.learningRate !== undefined || !sameOptimizer
        ? learningRate
        : base.biasLearningRate;
  return { optimizer, learningRate, biasLearningRate };
}

/** Whether `o` sets anything of a step (a call without step options uses the network's settings). */
export function hasStepOptions(o: StepOptions): boolean {
  if (typeof o !== 'object' || o === null) fail(`options must be an object, got ${show(o)}`);
  return o.learningRate !== undefined || o.biasLearningRate !== undefined || o.optimizer !== undefined;
}

/** Whether two step settings are the same in every value. */
export function sameStep(a: StepSettings, b: StepSettings): boolean {
  return a === b || (a.learningRate === b.learningRate && a.biasLearningRate === b.biasLearningRate && sameOptimizer(a.optimizer, b.optimizer));
}

function sameOptimizer(a: OptimizerSettings, b: OptimizerSettings): boolean {
  if (a.type === 'momentum' && b.type === 'momentum') return a.momentum === b.momentum;
  if (a.type === 'adam' && b.type === 'adam') return a.beta1 === b.beta1 && a.beta2 === b.beta2 && a.epsilon === b.epsilon;
  return a.type === b.type && a.type === 'sgd';
}

/** The seed of the shuffling generator, derived from the network's seed (apart from initialisation's). */
export function shuffleSeed(seed: number): number {
  return (seed ^ 0x5eed5eed) >>> 0;
}

/** The activations f_0 … f_L the options ask for, checked. */
function resolveActivations(options: NetworkOptions, L: number, loss: LossName): ActivationName[] {
  const hidden = checkOneOf(options.activation ?? 'sigmoid', 'options.activation', ACTIVATIONS);
  let acts: ActivationName[];
  if (options.activations !== undefined) {
    if (!Array.isArray(options.activations) || options.activations.length !== L) {
      fail(`options.activations must have one activation per layer after the input (${L}), got ${show(options.activations)}`);
    }
    if (options.output !== undefined) fail('give either options.activations or options.output, not both');
    if (options.activation !== undefined) fail('give either options.activations or options.activation, not both');
    // Array.from visits an empty slot ([, 'relu']) as undefined, where map would skip it.
    acts = Array.from(options.activations, (a, i) => checkOneOf(a, `options.activations[${i}]`, ACTIVATIONS));
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
  if (options.inputActivation !== undefined && options.inputLayer !== 'activated') fail("options.inputActivation applies to inputLayer 'activated' only");
  const inputAct = checkOneOf(options.inputActivation ?? (hidden === 'softmax' ? 'sigmoid' : hidden), 'options.inputActivation', ACTIVATIONS);
  if (inputAct === 'softmax') fail('options.inputActivation cannot be softmax');
  return [inputAct, ...acts];
}

/** Every option checked and every default filled in; throws an `ArgumentError` naming the first problem. */
/** Refuses anything but an options object (an array included), naming `caller`. */
export function checkOptionsObject(options: unknown, caller: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail(`${caller} needs an options object, got ${show(options)}`);
}

export function resolveOptions(options: NetworkOptions, caller = 'Network.create'): NetworkConfig {
  checkOptionsObject(options, caller);
  checkOptionNames(options, OPTION_NAMES.create);
  const { layers } = options;
  if (!Array.isArray(layers)) fail(`options.layers must be an array of layer sizes, got ${show(layers)}`);
  if (layers.length < 2) fail(`options.layers needs at least two sizes (input and output), got ${layers.length}`);
  if (layers.length > LIMITS.maxLayers) fail(`options.layers can have at most ${LIMITS.maxLayers} sizes, got ${layers.length}`);
  for (let i = 0; i < layers.length; i++) checkInteger(layers[i], `options.layers[${i}]`, 1, LIMITS.maxLayerSize); // empty slots too
  const L = layers.length - 1;
  let parameters = 0;
  for (let l = 0; l < L; l++) parameters += layers[l + 1] * (layers[l] + 1);
  if (parameters > LIMITS.maxElements) {
    fail(`options.layers ${layers.join('-')} has ${parameters} parameters, more than the limit of ${LIMITS.maxElements} (2^28)`);
  }

  const loss = checkOneOf(options.loss ?? 'mse', 'options.loss', LOSSES);
  const activations = resolveActivations(options, L, loss);
  if (activations[L] === 'softmax' && layers[L] === 1)
    fail(
      "a softmax over one output is always 1 and learns nothing: give the output layer one neuron per class (at least 2), or use one 'sigmoid' output with loss 'mse'",
    );
  const inputLayer = checkOneOf(options.inputLayer ?? 'identity', 'options.inputLayer', ['identity', 'activated'] as const);

  const asked = checkOneOf(options.engine ?? 'wasm', 'options.engine', [...ENGINES, 'auto'] as const);
  const engine = asked === 'auto' ? 'wasm' : asked;
  const precision = checkOneOf(options.precision ?? (engine === 'educational' ? 'f64' : 'f32'), 'options.precision', PRECISIONS);
  if (engine === 'educational' && precision !== 'f64') fail(`the educational engine computes in f64 only, got precision '${precision}'`);
  if (options.wasm !== undefined && engine !== 'wasm') fail(`options.wasm applies to the wasm engine only, got engine '${engine}'`);
  if (options.wasm !== undefined) {
    checkOptionNames(options.wasm, Object.keys(WASM_OPTIONS), 'options.wasm', 'wasm.');
    const { simd, source, instance } = options.wasm;
    checkSimd(simd, 'options.wasm.simd');
    if (instance !== undefined && (simd !== undefined || source !== undefined))
      fail('options.wasm.instance is a loaded instance: give simd and source to loadWasm, not with it');
    if (instance !== undefined && (typeof instance !== 'object' || instance === null || typeof (instance as { exports?: unknown }).exports !== 'object'))
      fail(`options.wasm.instance must be an instance from loadWasm, got ${show(instance)}`);
    if (source !== undefined && (source === null || (typeof source !== 'object' && typeof source !== 'string')))
      fail(`options.wasm.source must be the module's bytes, a WebAssembly.Module, a URL, a path or a Response, got ${show(source)}`);
  }

  const threads = checkThreads(options.threads ?? 1, 'options.threads');
  if (threads !== 1 && engine !== 'wasm') fail(`options.threads applies to the wasm engine only, got engine '${engine}'`);

  const seed = options.seed ?? DEFAULT_SEED;
  checkInteger(seed, 'options.seed', 0, 0xffffffff);
  const init = checkOneOf(options.init ?? 'auto', 'options.init', INITS);
  const biasInit = options.biasInit ?? 0.01;
  if (typeof biasInit !== 'number' || !Number.isFinite(biasInit)) fail(`options.biasInit must be a finite number, got ${show(biasInit)}`);

  return {
    arch: { sizes: [...layers], activations, inputActivated: inputLayer === 'activated', loss },
    engine,
    fallback: asked === 'auto',
    precision,
    seed,
    init,
    biasInit,
    step: resolveStep(options, null, 'options'),
    threads,
  };
}

/**
 * A training state checked against a network with `parameters` parameters: the optimizer's
 * settings and rates, a whole step count, moments where (and only where) the optimizer keeps them,
 * of that length and finite (Adam's second moment not negative), and a valid generator state. Returns a copy; an error names the first
 * bad field.
 */
export function checkTrainingState(state: TrainingState, parameters: number, what = 'training state'): TrainingState & OptimizerState {
  if (typeof state !== 'object' || state === null) fail(`${what} must be an object, got ${show(state)}`);
  const optimizer = resolveOptimizer(state.optimizer, `${what}.optimizer`);
  const learningRate = checkRate(state.learningRate, `${what}.learningRate`);
  const biasLearningRate = checkRate(state.biasLearningRate, `${what}.biasLearningRate`);
  const step = checkInteger(state.step, `${what}.step`, 0);
  const moment = (v: unknown, keeps: boolean, name: string, holds: string): Float64Array | null => {
    if (!keeps) {
      if (v !== null && v !== undefined) fail(`${what}.${name} must be null: ${optimizer.type} keeps no ${holds}`);
      return null;
    }
    if (v === null || v === undefined) fail(`${what}.${name} is missing: ${optimizer.type} keeps its ${holds} there`);
    // A model file's `training`, its moments encoded: loading the model is the way to it.
    if (typeof v === 'object' && 'base64' in v)
      fail(`${what}.${name} is encoded as a model file stores it: loadNetwork(model) restores a network with its training state`);
    return checkFlat(v as ArrayLike<number>, parameters, `${what}.${name}`);
  };
  const m = moment(state.m, optimizer.type !== 'sgd', 'm', optimizer.type === 'momentum' ? 'velocity' : 'first moment');
  const v = moment(state.v, optimizer.type === 'adam', 'v', 'second moment');
  // A mean of squared gradients: a negative value would make Adam's step √v̂ NaN.
  const negative = v?.findIndex((x) => x < 0) ?? -1;
  if (negative >= 0) fail(`${what}.v[${negative}] is ${v![negative]}: Adam's second moment is a mean of squares, never negative`);
  const words = state.shuffle;
  if (!Array.isArray(words) || words.length !== 4) fail(`${what}.shuffle must be the generator's four 32-bit words, got ${show(words)}`);
  for (let i = 0; i < 4; i++) checkInteger(words[i], `${what}.shuffle[${i}]`, 0, 0xffffffff);
  if (words.every((w) => w === 0)) fail(`${what}.shuffle must not be all zero (xoshiro128** never leaves that state)`);
  return { optimizer, learningRate, biasLearningRate, step, m, v, shuffle: [...words] };
}
