/**
 * What the JavaScript engines (js and educational) share: training data held as the matrices
 * themselves, epochs run as one `trainBatch` per minibatch of gathered rows, and the optimizer's
 * settings and state kept in the flat layout.
 */
import type { OptimizerState, PreparedData, StepSettings, Validation } from '../engine.js';
import { allFinite, copyInto, takeRows, type FloatArray, type Matrix } from '../matrix.js';
import { permutation, type Random } from '../random.js';

/** Data for the JavaScript engines: the matrices themselves. */
export class HeldData implements PreparedData {
  constructor(
    readonly x: Matrix,
    readonly y: Matrix,
  ) {}
  get rows(): number {
    return this.x.rows;
  }
  gather(order: ArrayLike<number>, from: number, to: number): { x: Matrix; y: Matrix } {
    return { x: takeRows(this.x, order, from, to), y: takeRows(this.y, order, from, to) };
  }
  read(which: 'x' | 'y', into?: FloatArray): Matrix {
    const m = this[which];
    if (!into) return { ...m, data: m.data.slice() };
    into.set(m.data);
    return { ...m, data: into.subarray(0, m.data.length) };
  }
  dispose(): void {}
}

export abstract class HeldDataEngine {
  /** The optimizer and rates in force. */
  protected step: StepSettings = { optimizer: { type: 'sgd' }, learningRate: 0, biasLearningRate: 0 };
  /** Optimizer state (momentum's velocity, Adam's moments) in the flat layout. */
  protected readonly optM: FloatArray;
  protected readonly optV: FloatArray;
  /** Updates made since the state was last cleared (Adam's t). */
  protected updates = 0;

  constructor(parameters: number, Arr: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) {
    this.optM = new Arr(parameters);
    this.optV = new Arr(parameters);
  }

  abstract readParameters(into?: Float64Array): Float64Array;

  parametersFinite(): boolean {
    return allFinite(this.readParameters());
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

  readOptimizerState(into?: OptimizerState): OptimizerState {
    const type = this.step.optimizer.type;
    return {
      step: this.updates,
      m: type === 'sgd' ? null : copyInto(this.optM, into?.m),
      v: type === 'adam' ? copyInto(this.optV, into?.v) : null,
    };
  }

  writeOptimizerState(state: OptimizerState): void {
    this.updates = state.step;
    if (state.m) this.optM.set(state.m);
    if (state.v) this.optV.set(state.v);
  }

  abstract trainBatch(x: Matrix, y: Matrix): number;
  abstract evaluate(x: Matrix, y: Matrix): { loss: number; correct: number };
  abstract predict(x: Matrix): FloatArray;

  predictPrepared(data: PreparedData): FloatArray {
    return this.predict((data as HeldData).x);
  }

  prepare(x: Matrix, y: Matrix): PreparedData {
    return new HeldData(x, y);
  }

  fitEpochs(data: PreparedData, rng: Random | null, batch: number, losses: Float64Array, validation?: Validation | null): void {
    const rows = data.rows;
    const order = new Uint32Array(rows);
    for (let e = 0; e < losses.length; e++) {
      losses[e] = this.fitSpan(data, permutation(rows, rng, order), batch, 0) / rows;
      if (validation) {
        const { loss, correct } = this.evaluatePrepared(validation.data);
        validation.scores[2 * e] = loss;
        validation.scores[2 * e + 1] = correct;
      }
    }
  }

  fitSpan(data: PreparedData, order: Uint32Array, batch: number, total: number): number {
    const { x, y } = data as HeldData;
    for (let start = 0; start < order.length; start += batch) {
      const end = Math.min(order.length, start + batch);
      total += this.trainBatch(takeRows(x, order, start, end), takeRows(y, order, start, end)) * (end - start);
    }
    return total;
  }

  evaluatePrepared(data: PreparedData): { loss: number; correct: number } {
    const { x, y } = data as HeldData;
    return this.evaluate(x, y);
  }
}
