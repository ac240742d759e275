/**
 * The engine interface: what the `Network` API needs from an implementation of the mathematics
 * (DESIGN: one contract for every engine). The `wasm`, `js` and `educational` engines plug in here.
 *
 * Parameters cross this interface as one flat Float64Array in the layout of crates/kernels/src/network.rs:
 *
 *     [ W_0 | b_0 | W_1 | b_1 | … | W_{L−1} | b_{L−1} | b_in ]
 *
 * W_l row-major n_{l+1} × n_l (row = destination neuron), b_in only with an activated input layer.
 */
import type { FloatArray, Matrix } from './matrix.js';
import { takeRows } from './matrix.js';
import type { ActivationName, EngineName, LossName, OptimizerSettings, Precision } from './types.js';

/** What every engine computes with: the shape of the network and its functions. */
export interface Architecture {
  /** n_0 … n_L. */
  sizes: readonly number[];
  /** f_0 … f_L: `activations[0]` acts on the input layer only when `inputActivated`. */
  activations: readonly ActivationName[];
  inputActivated: boolean;
  loss: LossName;
}

/** Offsets of each parameter block in the flat layout. */
export class Layout {
  readonly weightOffsets: number[] = [];
  readonly biasOffsets: number[] = [];
  readonly inputBiasOffset: number;
  readonly length: number;

  constructor(readonly arch: Architecture) {
    const n = arch.sizes;
    let off = 0;
    for (let l = 0; l + 1 < n.length; l++) {
      this.weightOffsets.push(off);
      off += n[l + 1] * n[l];
      this.biasOffsets.push(off);
      off += n[l + 1];
    }
    this.inputBiasOffset = off;
    this.length = off + (arch.inputActivated ? n[0] : 0);
  }

  /** Number of connections L. */
  get depth(): number {
    return this.arch.sizes.length - 1;
  }
}

/** The optimiser and learning rates in force. */
export interface StepSettings {
  optimizer: OptimizerSettings;
  learningRate: number;
  biasLearningRate: number;
}

/** Training data held by an engine for `fitEpochs` (in wasm memory for the wasm engine). */
export interface PreparedData {
  readonly rows: number;
  dispose(): void;
}

export interface Engine {
  readonly name: EngineName;
  readonly precision: Precision;
  /** Where the arithmetic runs: WebAssembly with or without SIMD128, or JavaScript. */
  readonly backend: 'simd128' | 'scalar' | 'js';
  readonly layout: Layout;

  /** A copy of every parameter, flat (see above). */
  readParameters(): Float64Array;
  /** Sets every parameter from the flat layout (rounded to the engine's precision). */
  writeParameters(flat: Float64Array): void;
  /** Optimiser and rates for the next updates; a change of optimiser type clears its state. */
  configure(step: StepSettings): void;
  /** Clears the optimiser's state (momentum, Adam's moments and step count). */
  resetOptimizer(): void;

  /** One update from the mean gradient of the rows of x, y. Returns their mean loss before it. */
  trainBatch(x: Matrix, y: Matrix): number;
  /** The mean gradient (flat) and mean loss over the rows of x, y, without an update. */
  gradients(x: Matrix, y: Matrix): { loss: number; grads: Float64Array };
  /** Holds x, y for `fitEpochs` (copied into the engine's memory once). */
  prepare(x: Matrix, y: Matrix): PreparedData;
  /**
   * Trains `epochs` epochs: epoch e visits rows `perm[e·rows … (e+1)·rows)` in minibatches of
   * `batch` (the last may be shorter). Returns each epoch's mean per-sample loss.
   */
  fitEpochs(data: PreparedData, perm: Uint32Array, epochs: number, batch: number): Float64Array;
  /** Outputs a_L for every row (rows × n_L, the engine's precision). */
  predict(x: Matrix): FloatArray;
  /** Mean loss and the number of rightly classified rows. */
  evaluate(x: Matrix, y: Matrix): { loss: number; correct: number };
  /** `evaluate` on data held by `prepare` (validation data evaluated every epoch). */
  evaluatePrepared(data: PreparedData): { loss: number; correct: number };
  /** Frees what the engine holds. Idempotent. */
  dispose(): void;
}

/** Data for the JavaScript engines: the matrices themselves. */
export class HeldData implements PreparedData {
  constructor(
    readonly x: Matrix,
    readonly y: Matrix,
  ) {}
  get rows(): number {
    return this.x.rows;
  }
  dispose(): void {}
}

/**
 * What the JavaScript engines share: training data held as the matrices themselves, and epochs
 * run as one `trainBatch` per minibatch of gathered rows.
 */
export abstract class HeldDataEngine {
  /** The optimiser and rates in force. */
  protected step: StepSettings = { optimizer: { type: 'sgd' }, learningRate: 0, biasLearningRate: 0 };
  /** Optimiser state (momentum's velocity, Adam's moments) in the flat layout. */
  protected readonly optM: FloatArray;
  protected readonly optV: FloatArray;
  /** Updates made since the state was last cleared (Adam's t). */
  protected updates = 0;

  constructor(parameters: number, Arr: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) {
    this.optM = new Arr(parameters);
    this.optV = new Arr(parameters);
  }

  configure(step: StepSettings): void {
    if (step.optimizer.type !== this.step.optimizer.type) this.resetOptimizer();
    this.step = step;
  }

  resetOptimizer(): void {
    this.optM.fill(0);
    this.optV.fill(0);
    this.updates = 0;
  }

  abstract trainBatch(x: Matrix, y: Matrix): number;
  abstract evaluate(x: Matrix, y: Matrix): { loss: number; correct: number };

  prepare(x: Matrix, y: Matrix): PreparedData {
    return new HeldData(x, y);
  }

  fitEpochs(data: PreparedData, perm: Uint32Array, epochs: number, batch: number): Float64Array {
    const { x, y } = data as HeldData;
    const rows = x.rows;
    const losses = new Float64Array(epochs);
    for (let e = 0; e < epochs; e++) {
      const order = perm.subarray(e * rows, (e + 1) * rows);
      let total = 0;
      for (let start = 0; start < rows; start += batch) {
        const end = Math.min(rows, start + batch);
        total += this.trainBatch(takeRows(x, order, start, end), takeRows(y, order, start, end)) * (end - start);
      }
      losses[e] = total / rows;
    }
    return losses;
  }

  evaluatePrepared(data: PreparedData): { loss: number; correct: number } {
    const { x, y } = data as HeldData;
    return this.evaluate(x, y);
  }
}
