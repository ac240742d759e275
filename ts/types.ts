/** Public types of the API. */
import type { PreparedDataset } from './prepared.js';

export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'linear', 'leaky-relu', 'softmax'] as const;
export const LOSSES = ['mse', 'cross-entropy'] as const;
export const ENGINES = ['wasm', 'js', 'educational'] as const;
export const PRECISIONS = ['f32', 'f64'] as const;
export const INITS = ['auto', 'xavier', 'he', 'uniform'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
/** The largest finite f32 (2^128 − 2^104): an f32 network's mean loss above it counts as diverged. */
export const F32_MAX = 3.4028234663852886e38;
/**
 * Where an engine's arithmetic runs: WebAssembly with SIMD128, without SIMD, or with relaxed SIMD
 * (SIMD128 whose multiply-adds may be fused, by opt-in), or JavaScript.
 */
export const BACKENDS = ['simd128', 'scalar', 'relaxed-simd', 'js'] as const;

export type ActivationName = (typeof ACTIVATIONS)[number];
export type LossName = (typeof LOSSES)[number];
export type EngineName = (typeof ENGINES)[number];
export type Precision = (typeof PRECISIONS)[number];
export type InitName = (typeof INITS)[number];
export type InputLayer = 'identity' | 'activated';
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type Backend = (typeof BACKENDS)[number];
/** The backends of the WebAssembly artefacts, one artefact each. */
export const WASM_BACKENDS = ['simd128', 'scalar', 'relaxed-simd'] as const satisfies readonly Backend[];
export type WasmBackend = (typeof WASM_BACKENDS)[number];
/**
 * The two artefacts that give the same bits on every CPU and engine, and the same bits as each
 * other; every runtime with WebAssembly loads one of them. The relaxed-SIMD artefact's bits depend
 * on the CPU (a fused multiply-add or not) and it loads only where the engine has relaxed SIMD.
 */
export const DETERMINISTIC_BACKENDS = ['simd128', 'scalar'] as const satisfies readonly WasmBackend[];
export type DeterministicBackend = (typeof DETERMINISTIC_BACKENDS)[number];

/** An optimizer: by name with its defaults, or with its settings. */
export type OptimizerOption =
  OptimizerName | { type: 'sgd' } | { type: 'momentum'; momentum?: number } | { type: 'adam'; beta1?: number; beta2?: number; epsilon?: number };

/** An optimizer with every setting filled in. */
export type OptimizerSettings = { type: 'sgd' } | { type: 'momentum'; momentum: number } | { type: 'adam'; beta1: number; beta2: number; epsilon: number };

/** A row-major matrix in a typed array, with its shape. */
export interface MatrixInput {
  data: Float32Array | Float64Array | number[];
  rows: number;
  cols: number;
}

/** Rows of numbers, or a row-major typed matrix with its shape. */
export type Rows = readonly (readonly number[])[] | MatrixInput;

/**
 * Parameters in the paper's layout: per connection l, `weights[l]` is an n_{l+1} × n_l matrix
 * (row = destination neuron k, column = source neuron j: the paper's w_jk is `weights[l][k][j]`)
 * and `biases[l]` has n_{l+1} entries. `inputBiases` (n_0) exists with `inputLayer: 'activated'`.
 */
export interface Parameters {
  weights: number[][][];
  biases: number[][];
  inputBiases?: number[];
}

/** Learning-rate and optimizer settings of one update (`trainBatch`) or of `fit`. */
export interface StepOptions {
  /** η, for the weights. Default: the network's `learningRate`. */
  learningRate?: number;
  /**
   * η_b, for the biases. Default: this call's η where it gives one (even on a network whose η_b
   * was set apart from its η), else the network's η_b.
   */
  biasLearningRate?: number;
  /** Default: the network's optimizer (another than the network's starts at its own default η: Adam 0.001). */
  optimizer?: OptimizerOption;
}

export interface FitOptions extends StepOptions {
  /** Passes over the data. Default 50. */
  epochs?: number;
  /** Rows per minibatch (1 = the paper's per-sample training). Default 16. */
  batchSize?: number;
  /**
   * Threads to train each minibatch on (wasm engine; needs `wasm-backprop/threads`): a number or
   * `'auto'`. Default: the network's `threads`. The parameters are those of one thread, to the bit.
   */
  threads?: number | 'auto';
  /** Visit the rows in a new seeded random order each epoch. Default true. */
  shuffle?: boolean;
  /**
   * Data evaluated after each epoch (its loss and accuracy go to the history): rows, or a dataset
   * this network prepared (`net.prepare`), which is then not checked or copied again.
   */
  validation?: { x: Rows; y: Rows } | PreparedDataset;
  /**
   * Called after each epoch (not awaited epoch by epoch: the fit settles once the promises it returned have, and rejects with the error of one that rejects); return `false`, or abort `signal`, to stop there.
   * Network methods called from it see the network at the end of that epoch.
   */
  onEpoch?: (epoch: EpochRecord) => void | boolean | PromiseLike<unknown>;
  /**
   * Progress inside an epoch that takes longer than a time slice (about 10 ms): called after the
   * minibatches of each slice (not after every one, which would cost more than small minibatches
   * take), with the minibatches done so far. Return `false` to stop (mid-epoch: the minibatches
   * trained stay trained; the epoch is not in the history). A promise it returns is waited for
   * before the next minibatch (a pause inside the epoch, which changes no bit), then read the same way.
   */
  onBatch?: (progress: BatchProgress) => void | boolean | Promise<void | boolean>;
  /**
   * A mean loss above this counts as diverged, as a non-finite one does: an epoch's loss (and,
   * replaying it, a minibatch's) beyond it stops training with a `TrainingDivergedError` and the
   * network back at the end of the last epoch below it. Default: none (only non-finite values); on
   * an f32 network at most the largest f32, 3.4e38 (its outputs overflow beyond, its parameters
   * can still be finite).
   */
  maxLoss?: number;
  /**
   * Stops training when aborted: within a time slice (about 10 ms of training), between epochs or,
   * where an epoch is longer than a slice, between its minibatches (as `onBatch` returning false).
   */
  signal?: AbortSignal;
}

/** Where training is inside an epoch (`FitOptions.onBatch`). */
export interface BatchProgress {
  /** 1-based, counted from the first epoch of this `fit` call (as `EpochRecord.epoch`). */
  epoch: number;
  /** Minibatches of this epoch done so far, and in all. */
  batch: number;
  batches: number;
  /** Mean per-sample loss of the minibatches done so far, each before its update. */
  loss: number;
}

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Mean per-sample training loss of the epoch, each minibatch's before its update. */
  loss: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface History {
  /** One record per epoch trained. */
  readonly epochs: EpochRecord[];
  /** The training loss of every epoch (the `loss` of each record). */
  readonly losses: readonly number[];
  /** Whether training stopped before the last epoch (onEpoch returned false, or the signal aborted). */
  stopped: boolean;
}

export interface Evaluation {
  /** Mean per-sample loss. */
  loss: number;
  /** Fraction of rows whose largest output is the target's largest (one output: same side of ½). */
  accuracy: number;
}

export interface Gradients {
  /** The mean loss of the rows the gradients were taken on. */
  loss: number;
  weights: number[][][];
  biases: number[][];
  inputBiases?: number[];
}

/** What became non-finite first: a neuron's incoming weights, its bias, its input bias, or only the loss. */
export type DivergedValue = 'weights' | 'bias' | 'input bias' | 'loss';

/** Where training diverged, and where the network was put back: the fields of `TrainingDivergedError`. */
export interface Divergence {
  /** `fit`: the epoch (1-based, counted from the call's first) of the first non-finite value; `trainBatch`: null. */
  epoch: number | null;
  /** `fit`: the minibatch of that epoch (1-based) whose update or loss was the first non-finite; `trainBatch`: null. */
  batch: number | null;
  /** `fit`: the rows of x that minibatch trained on (0-based, in the order visited); `trainBatch`: null. */
  rows: number[] | null;
  /**
   * The layer (0 = input … L = output) of the first neuron whose weights or bias became non-finite
   * (layers in order, neurons in order within a layer); null when only the loss did.
   */
  layer: number | null;
  /** That neuron's index in its layer, from 0: its weights are `weights[layer − 1][neuron]`. Null with `layer`. */
  neuron: number | null;
  parameter: DivergedValue;
  /** The first non-finite value there: NaN, Infinity or -Infinity (or a loss above `maxLoss`). */
  value: number;
  /** `fit`'s `maxLoss` where the loss rose above it (finite); else null (or left out). */
  maxLoss?: number | null;
  /**
   * Where the loss rose above `maxLoss`: the parameter of largest magnitude after that step (the
   * layer and neuron it belongs to, and its value), which names the layer that blew up; else null.
   */
  largest?: { layer: number; neuron: number; parameter: Exclude<DivergedValue, 'loss'>; value: number } | null;
  /** `trainBatch`: the call whose update went non-finite, counted back from this one (0: this call's own); `fit`: null. */
  callsAgo: number | null;
  /** `trainBatch`: the updates undone (the network is where it was that many updates ago); `fit`: null. */
  undone: number | null;
  learningRate: number;
  biasLearningRate: number;
}

/**
 * Training produced a value that is not finite: a loss, or a parameter (a loss can stay finite while
 * a weight overflows). The network is back at its last finite state, still usable: for `fit`, the
 * end of epoch `epoch − 1` (`history` holds the epochs up to there); for `trainBatch`, the state
 * before the update that went non-finite (normally before this very call).
 */
export class TrainingDivergedError extends Error implements Divergence {
  override name = 'TrainingDivergedError';
  // Declared, set by the constructor from the divergence (one assignment, not one per field).
  declare readonly epoch: number | null;
  declare readonly batch: number | null;
  declare readonly rows: number[] | null;
  declare readonly layer: number | null;
  declare readonly neuron: number | null;
  declare readonly parameter: DivergedValue;
  declare readonly value: number;
  declare readonly maxLoss: number | null;
  declare readonly largest: { layer: number; neuron: number; parameter: Exclude<DivergedValue, 'loss'>; value: number } | null;
  declare readonly callsAgo: number | null;
  declare readonly undone: number | null;
  declare readonly learningRate: number;
  declare readonly biasLearningRate: number;
  /** `fit`: the epochs trained up to the last finite one; `trainBatch`: null. */
  declare readonly history: History | null;

  constructor(d: Divergence, history: History | null = null) {
    super(describeDivergence(d));
    const { epoch, batch, rows, layer, neuron, parameter, value, callsAgo, undone, learningRate, biasLearningRate } = d;
    Object.assign(this, {
      epoch,
      batch,
      rows,
      layer,
      neuron,
      parameter,
      value,
      maxLoss: d.maxLoss ?? null,
      largest: d.largest ?? null,
      callsAgo,
      undone,
      learningRate,
      biasLearningRate,
      history,
    });
  }

  /** The message with the epochs counted on from `epochOffset` (epochs trained before the `fit` call). */
  describe(epochOffset = 0): string {
    return describeDivergence(this, epochOffset);
  }
}

/**
 * "training diverged in epoch 3, batch 7 (x rows 96–111): the weights into neuron 4 of layer 2
 * (weights[1][4]) became Infinity; the network is back at the end of epoch 2: lower the learning
 * rate (now 1000000, biases 1000000)".
 */
function describeDivergence(d: Divergence, epochOffset = 0): string {
  const what = d.parameter === 'loss' || d.layer === null || d.neuron === null ? 'the loss' : describeParameter(d.parameter, d.layer, d.neuron);
  let where: string;
  let back: string;
  if (d.epoch !== null) {
    const e = d.epoch + epochOffset;
    where = `in epoch ${e}${d.batch !== null ? `, batch ${d.batch}${d.rows ? ` (${describeRows(d.rows)})` : ''}` : ''}`;
    back = e > 1 ? `at the end of epoch ${e - 1}` : 'at the start of epoch 1';
  } else {
    const ago = d.callsAgo;
    where =
      ago === null
        ? 'in a recent trainBatch call'
        : ago === 0
          ? 'in this trainBatch call'
          : `in the trainBatch call ${ago} before this one (the loss stayed finite until now)`;
    back = d.undone === 1 ? 'where it was before this call' : `where it was ${d.undone} updates ago`;
  }
  const rates = `now ${d.learningRate}, biases ${d.biasLearningRate}`;
  const largest = d.largest
    ? ` (the largest parameter then: ${describeParameter(d.largest.parameter, d.largest.layer, d.largest.neuron)}, ${d.largest.value.toPrecision(3)})`
    : '';
  const bound = d.maxLoss === F32_MAX ? 'the largest f32 (3.4e38)' : `maxLoss ${d.maxLoss?.toPrecision(4)}`;
  const became = d.maxLoss != null && Number.isFinite(d.value) ? `rose to ${d.value.toPrecision(4)}, above ${bound}${largest}` : `became ${d.value}`;
  return `training diverged ${where}: ${what} ${became}; the network is back ${back}: lower the learning rate (${rates})`;
}

/** "the weights into neuron 4 of layer 2 (weights[1][4])", a bias or an input bias. */
function describeParameter(parameter: Exclude<DivergedValue, 'loss'>, layer: number, neuron: number): string {
  if (parameter === 'input bias') return `the input bias of neuron ${neuron} (inputBiases[${neuron}])`;
  if (parameter === 'bias') return `the bias of neuron ${neuron} of layer ${layer} (biases[${layer - 1}][${neuron}])`;
  return `the weights into neuron ${neuron} of layer ${layer} (weights[${layer - 1}][${neuron}])`;
}

/** "x row 57", "x rows 96–111", or the first few rows of a shuffled minibatch. */
function describeRows(rows: readonly number[]): string {
  if (rows.length === 1) return `x row ${rows[0]}`;
  if (rows.every((r, i) => r === rows[0] + i)) return `x rows ${rows[0]}–${rows[rows.length - 1]}`;
  const more = rows.length > 4 ? ` and ${rows.length - 4} more` : '';
  return `x rows ${rows.slice(0, 4).join(', ')}${more}`;
}
