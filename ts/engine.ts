/**
 * The engine contract: what the `Network` API needs from an implementation of the mathematics
 * (docs/ARCHITECTURE.md, "The mathematics"). The `wasm`, `js` and `educational` engines implement
 * it; `LIMITS`, which every engine enforces, sits beside it.
 *
 * Parameters, gradients and optimizer moments cross this interface as flat Float64Arrays in the
 * layout of ./parameters.ts: [ W_0 | b_0 | W_1 | b_1 | … | W_{L−1} | b_{L−1} | b_in ].
 */
import type { FloatArray, Matrix } from './matrix.js';
import type { Layout } from './parameters.js';
import type { Random } from './random.js';
import type { Backend, EngineName, OptimizerSettings, Precision } from './types.js';

export type { Architecture } from './parameters.js';

/** Limits every engine enforces. Must match crates/kernels/src/mlp/mod.rs (test/abi.test.ts pins them). */
export const LIMITS = {
  maxLayerSize: 1 << 16,
  maxLayers: 64,
  maxBatch: 1 << 16,
  maxElements: 1 << 28,
} as const;

/** The optimizer and learning rates in force. */
export interface StepSettings {
  optimizer: OptimizerSettings;
  learningRate: number;
  biasLearningRate: number;
}

/**
 * The optimizer's state in the flat layout: what an engine adds to the parameters while it trains,
 * and all it needs besides them to continue exactly.
 */
export interface OptimizerState {
  /** Updates made since the state was last cleared (Adam's t). */
  step: number;
  /** Momentum's velocity or Adam's first moment; null for SGD. */
  m: Float64Array | null;
  /** Adam's second moment; null for SGD and momentum. */
  v: Float64Array | null;
}

/**
 * What one minibatch computes, layer by layer, before any update: the values a trace records
 * (ts/trace/, docs/trace-format.md). Each of z, a and delta has one entry per layer l = 0 … L,
 * a copy of rows × n_l values, row-major, in the engine's precision, exactly as the engine computed
 * them; z_0 and δ_0 are null with an identity input layer (a_0 is then the input itself, and nothing
 * computes them).
 */
export interface StepValues {
  /** The mean loss of the rows. */
  loss: number;
  /** The mean gradient, flat (the values the engine computed, widened to f64 without rounding). */
  grads: Float64Array;
  z: (FloatArray | null)[];
  a: FloatArray[];
  delta: (FloatArray | null)[];
}

/** Data evaluated after each epoch by `fitEpochs`, and where its scores go (2 per epoch). */
export interface Validation {
  data: PreparedData;
  scores: Float64Array;
}

/** Training data held by an engine for `fitEpochs` (in wasm memory for the wasm engine). */
export interface PreparedData {
  readonly rows: number;
  /** Copies of rows `order[from … to)` (to replay a minibatch with `trainBatch`). */
  gather(order: ArrayLike<number>, from: number, to: number): { x: Matrix; y: Matrix };
  /**
   * A copy of every input row (x) or every target row (y): into the first rows × cols elements of
   * `into` where given (an array of the data's precision, long enough), else a new array.
   */
  read(which: 'x' | 'y', into?: FloatArray): Matrix;
  dispose(): void;
}

export interface Engine {
  readonly name: EngineName;
  readonly precision: Precision;
  /** Where the arithmetic runs: WebAssembly with or without SIMD128, or JavaScript. */
  readonly backend: Backend;
  readonly layout: Layout;

  /** A copy of every parameter, flat (see above): into `into` where it is given and of the layout's length, else new. */
  readParameters(into?: Float64Array): Float64Array;
  /** Sets every parameter from the flat layout (rounded to the engine's precision). */
  writeParameters(flat: Float64Array): void;
  /** Whether every parameter is finite (read where they lie, without a copy where the engine can). */
  parametersFinite(): boolean;
  /** Optimizer and rates for the next updates; a change of optimizer type clears its state. */
  configure(step: StepSettings): void;
  /** Clears the optimizer's state (momentum, Adam's moments and step count). */
  resetOptimizer(): void;
  /**
   * A copy of the state of the optimizer in force (its moments in the engine's precision); the
   * moments go into those of `into` where it holds them of the layout's length.
   */
  readOptimizerState(into?: OptimizerState): OptimizerState;
  /**
   * Sets the state of the optimizer in force (`configure` it first: a later change of type clears
   * it). The moments it keeps must be given, of the layout's length; they are rounded to the
   * engine's precision.
   */
  writeOptimizerState(state: OptimizerState): void;

  /** One update from the mean gradient of the rows of x, y. Returns their mean loss before it. */
  trainBatch(x: Matrix, y: Matrix): number;
  /** The mean gradient (flat) and mean loss over the rows of x, y, without an update. */
  gradients(x: Matrix, y: Matrix): { loss: number; grads: Float64Array };
  /**
   * The forward values, deltas, mean gradient and loss of the rows of x, y, without an update: the
   * same arithmetic `trainBatch` does before it updates (see `StepValues`). Optional: an engine
   * without it cannot be traced.
   */
  values?(x: Matrix, y: Matrix): StepValues;
  /**
   * Holds x, y for `fitEpochs` (copied into the engine's memory once). With `release`, an engine
   * that copies may empty x and y as it goes, where they end a resizable buffer (./growable.ts
   * `drainFromEnd`), so the data is never held twice.
   */
  prepare(x: Matrix, y: Matrix, release?: boolean): PreparedData;
  /**
   * Trains `losses.length` epochs, each visiting the rows in the order `permutation(rows, rng)`
   * draws (./random.ts; in order where `rng` is null), in minibatches of `batch` (the last may be
   * shorter), and leaves `rng` where those draws leave it. Writes each epoch's mean per-sample loss
   * to `losses`. (The wasm engine draws the orders inside the call.) With `validation`, evaluates
   * its data after each epoch e as `evaluatePrepared` does, into `validation.scores[2e]` (the
   * mean loss) and `[2e + 1]` (the rows classified right).
   */
  fitEpochs(data: PreparedData, rng: Random | null, batch: number, losses: Float64Array, validation?: Validation | null): void;
  /**
   * Trains part of an epoch: the rows `order` (a slice of an epoch's order starting at a minibatch
   * boundary) in minibatches of `batch`. Returns `total` plus their per-sample losses, added one
   * after the other: an epoch trained span by span, each given the total so far, trains and sums
   * exactly as `fitEpochs` (the epoch's loss is the total over its rows).
   */
  fitSpan(data: PreparedData, order: Uint32Array, batch: number, total: number): number;
  /** Outputs a_L for every row (rows × n_L, the engine's precision). */
  predict(x: Matrix): FloatArray;
  /** `predict` on the inputs of data held by `prepare`. */
  predictPrepared(data: PreparedData): FloatArray;
  /** Mean loss and the number of rightly classified rows. */
  evaluate(x: Matrix, y: Matrix): { loss: number; correct: number };
  /** `evaluate` on data held by `prepare` (validation data evaluated every epoch). */
  evaluatePrepared(data: PreparedData): { loss: number; correct: number };
  /** Frees what the engine holds. Idempotent. */
  dispose(): void;
}

/**
 * All that training continues from besides the parameters (`Network.getTrainingState`). The moments
 * come as Float64Arrays; plain arrays are taken too (`JSON.stringify` writes a typed array as an
 * object: write `Array.from(m)`).
 */
export interface TrainingState extends StepSettings {
  /** Updates made since the optimizer's state was last cleared (Adam's t). */
  step: number;
  /** Momentum's velocity or Adam's first moment, flat layout; null for SGD. */
  m: Float64Array | readonly number[] | null;
  /** Adam's second moment, flat layout; null for SGD and momentum. */
  v: Float64Array | readonly number[] | null;
  /** The shuffling generator's state: xoshiro128**'s four unsigned 32-bit words, not all zero. */
  shuffle: number[];
}
